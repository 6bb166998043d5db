"""``taosha._speedups`` against the NumPy reference on every document of ../shared/data.

For each of the 16 files and every document: ``all_signals`` (with the zh_heuristics default
``repetition_min_chars=100`` and with 0), ``char_signals``, ``ngram_signals``, ``langid.detect`` and
the ``cjk_ratio`` score, through the C kernel and through the reference; any difference is printed
(``repr`` compared, so key order and int/float count).  Also counts how often the kernel's unrounded
entropy differs from NumPy's in its last bits and how often the rounding guard sent a value back
to the reference, and times both paths per function (CPU s, long-document set).

    .venv/bin/python benchmarks/speedups_parity.py [--limit N]    # N documents per file (default all)
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import time
from pathlib import Path

import orjson

from taosha import Document
from taosha.filters import charclass, heuristics, langid, signals

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LONG = ("news_thucnews_sample", "web_chinesewebtext_sample", "web_cluecorpussmall_sample",
        "wiki_zhwiki_sample", "wiki_cmrc2018_contexts", "wiki_drcd_traditional_contexts")
MODULES = (charclass, signals, langid, heuristics)


def use_kernel(on: bool) -> None:
    for module in MODULES:
        module.KERNEL = on


def measure(text: str) -> str:
    return repr((
        signals.all_signals(text, 100),
        signals.all_signals(text, 0),
        signals.char_signals(text),
        signals.ngram_signals(text),
        langid.detect(text),
        heuristics.CjkRatio().score(Document("d", text)),
    ))


def texts_of(path: Path, limit: int | None) -> list[str]:
    with gzip.open(path, "rb") as fh:
        return [orjson.loads(line)["text"] for line in itertools.islice(fh, limit)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()
    if not charclass.KERNEL:
        raise SystemExit("taosha._speedups is not loaded (not built, or TAOSHA_PURE_PYTHON=1)")
    table = charclass.class_table()
    guarded = [0]
    near = signals._near_rounding_boundary

    def counting_guard(x: float) -> bool:
        hit = near(x)
        guarded[0] += hit
        return hit

    signals._near_rounding_boundary = counting_guard  # type: ignore[assignment]
    total = differing = entropy_bits_differ = 0
    for path in sorted(DATA.glob("*.jsonl.gz")):
        texts = texts_of(path, args.limit)
        bad = 0
        for text in texts:
            use_kernel(True)
            fast = measure(text)
            use_kernel(False)
            if fast != measure(text):
                bad += 1
                if bad <= 3:
                    print(f"  DIFFERENT {path.name}: {text[:60]!r}")
            visible = signals._Text(text).visible
            if visible.size:
                entropy = charclass.kernel.ngram_counts(text, table)[1]  # type: ignore[union-attr]
                entropy_bits_differ += entropy != signals._entropy(visible)
        use_kernel(True)
        total += len(texts)
        differing += bad
        print(f"{path.name}: {len(texts):,} documents, {bad} different")
    print(f"all files: {total:,} documents, {differing} with any different value; unrounded entropy "
          f"differs from NumPy's in the last bits for {entropy_bits_differ:,}; rounding guard used "
          f"{guarded[0]:,} times")

    long_texts = [t for name in LONG for t in texts_of(DATA / f"{name}.jsonl.gz", args.limit)]
    docs = [Document(str(i), t) for i, t in enumerate(long_texts)]
    z, cjk, lang = heuristics.ZhHeuristics(), heuristics.CjkRatio(), langid.LangId()
    cases = {
        "zh_heuristics measure+judge": lambda: [z.judge(z.measure(d.text)) for d in docs],
        "cjk_ratio score": lambda: [cjk.score(d) for d in docs],
        "lang_id score": lambda: [lang.score(d) for d in docs],
    }
    print(f"\nCPU s on the long set ({len(docs):,} documents), best of 3, each function on its own "
          "(no cache hits between steps):")
    print("| function | NumPy reference | C kernel | ratio |")
    print("|---|---|---|---|")
    for name, run in cases.items():
        timings = []
        for on in (False, True):
            use_kernel(on)
            best = float("inf")
            for _ in range(3):
                charclass._last_scan = (None, ())
                charclass.codepoints_and_classes.cache_clear()
                start = time.process_time()
                run()
                best = min(best, time.process_time() - start)
            timings.append(best)
        print(f"| {name} | {timings[0]:.3f} | {timings[1]:.3f} | {timings[0] / timings[1]:.1f}x |")
    use_kernel(True)


if __name__ == "__main__":
    main()
