"""The one table of steps: recipe name -> ``"module:Class"``.

Imported lazily, so ``import taosha`` stays light and a step's heavy dependencies load only when a
recipe uses it.  Adding a step means adding one line here.
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Iterable

from taosha.errors import RecipeError
from taosha.step import Step

STEPS: dict[str, str] = {
    "html_extract": "taosha.io.html:HtmlExtract",
    "unicode_cleanup": "taosha.normalize.unicode:UnicodeCleanup",
    "zh_normalize": "taosha.normalize.zh:ZhNormalize",
    "boilerplate_lines": "taosha.clean.boilerplate:BoilerplateLines",
    "repeated_lines": "taosha.clean.repeated:RepeatedLines",
    "length_filter": "taosha.filters.length:LengthFilter",
    "cjk_ratio": "taosha.filters.heuristics:CjkRatio",
    "lang_id": "taosha.filters.langid:LangId",
    "zh_heuristics": "taosha.filters.heuristics:ZhHeuristics",
    "symbol_ratio": "taosha.filters.heuristics:SymbolRatio",
    "digit_ratio": "taosha.filters.heuristics:DigitRatio",
    "function_ratio": "taosha.filters.heuristics:FunctionRatio",
    "char_entropy": "taosha.filters.heuristics:CharEntropy",
    "terminal_punct_lines": "taosha.filters.heuristics:TerminalPunctLines",
    "mean_line_chars": "taosha.filters.heuristics:MeanLineChars",
    "short_line_frac": "taosha.filters.heuristics:ShortLineFrac",
    "dup_line_frac": "taosha.filters.heuristics:DupLineFrac",
    "dup_line_char_frac": "taosha.filters.heuristics:DupLineCharFrac",
    "dup_para_frac": "taosha.filters.heuristics:DupParaFrac",
    "top_ngram_coverage": "taosha.filters.heuristics:TopNgramCoverage",
    "dup_ngram_coverage": "taosha.filters.heuristics:DupNgramCoverage",
    "gambling_score": "taosha.filters.spam:GamblingScore",
    "porn_score": "taosha.filters.spam:PornScore",
    "seo_spam_score": "taosha.filters.spam:SeoSpamScore",
    "ad_spam_score": "taosha.filters.spam:AdSpamScore",
    "quality_model": "taosha.filters.quality_model:QualityModel",
    "exact_dedup": "taosha.dedup.exact:ExactDedup",
    "pii_redact": "taosha.pii.redact:PiiRedact",
    "near_dedup": "taosha.dedup.near:NearDedup",
}


def suggest(name: str, choices: Iterable[str]) -> str:
    """A ``"; did you mean 'x'?"`` suffix, or an empty string when nothing is close."""
    close = difflib.get_close_matches(name, sorted(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def step_class(name: str) -> type[Step]:
    target = STEPS.get(name)
    if target is None:
        raise RecipeError(f"unknown step {name!r}{suggest(name, STEPS.keys())} (see `taosha steps`)")
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    if cls.name != name:
        raise RecipeError(f"catalog entry {name!r} points at a step named {cls.name!r}")
    return cls  # type: ignore[no-any-return]


def all_steps() -> dict[str, type[Step]]:
    return {name: step_class(name) for name in STEPS}
