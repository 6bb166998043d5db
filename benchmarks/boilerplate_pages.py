"""boilerplate_lines on whole generated pages: article kept and furniture left, before and after.

Pages come from ``taosha.demo.warc_sample.build_page`` (portal, blog and old table layouts with
navigation, breadcrumbs, bylines, share widgets, related and hot lists, comments and footers), with
real THUCNews paragraphs as articles (read from ../shared/data here, never stored).  Each page is
turned into text by resiliparse (whole page, and ``main_content``) and by trafilatura, then run
through ``boilerplate_lines``.  Scores are ``score_extraction``'s: the share of article characters
kept whole and the share of furniture characters left.  The real-data precision study is
``benchmarks/boilerplate_precision.py``; this one shows the rules that never fire there (``nav``,
``breadcrumb``, ``share``) at work on layouts written by someone else.

    .venv/bin/python benchmarks/boilerplate_pages.py [--pages 90] [--seed 5]
"""

from __future__ import annotations

import argparse
import collections
import gzip
import os
import random
import re
from pathlib import Path

import orjson

from taosha.clean.boilerplate import BoilerplateLines
from taosha.demo.warc_sample import build_page, score_extraction
from taosha.step import Drop

DATA = Path(os.environ.get("TAOSHA_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def real_articles(n: int) -> list[list[str]]:
    out = []
    with gzip.open(DATA / "news_thucnews_sample.jsonl.gz", "rb") as fh:
        for line in fh:
            sentences = re.findall(r"[^。！？]+[。！？]+[”」』]?", orjson.loads(line)["text"])
            paras = ["".join(sentences[i : i + 3]).strip() for i in range(0, min(len(sentences), 24), 3)]
            if len([p for p in paras if p]) >= 2:
                out.append([p for p in paras if p])
            if len(out) >= n:
                break
    return out


def extractors():  # type: ignore[no-untyped-def]
    import trafilatura
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    return {
        "resiliparse (whole page)": lambda html: extract_plain_text(HTMLTree.parse(html), main_content=False),
        "resiliparse main_content": lambda html: extract_plain_text(HTMLTree.parse(html), main_content=True),
        "trafilatura": lambda html: trafilatura.extract(html, include_comments=False) or "",
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", type=int, default=90)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    articles = real_articles(args.pages)
    layouts = ("portal", "blog", "table")
    pages = [build_page(rng, index=i, layout=layouts[i % 3], article=articles[i]) for i in range(len(articles))]
    step = BoilerplateLines(min_chars_left=0)
    print("| extractor | layout | pages | article kept before → after | furniture left before → after |")
    print("|---|---|---:|---|---|")
    reasons: collections.Counter[str] = collections.Counter()
    for name, fn in extractors().items():
        for layout in layouts:
            mine = [p for i, p in enumerate(pages) if layouts[i % 3] == layout]
            kb = ka = fb = fa = 0.0
            for page in mine:
                text = fn(page.html)
                lines = text.split("\n")
                verdicts = step.keep_lines(lines)
                for v in verdicts:
                    if isinstance(v, Drop):
                        reasons[v.reason] += 1
                after = "\n".join(line for line, v in zip(lines, verdicts, strict=True) if v is True)
                k0, f0 = score_extraction(text, page)
                k1, f1 = score_extraction(after, page)
                kb, fb, ka, fa = kb + k0, fb + f0, ka + k1, fa + f1
            n = len(mine)
            print(f"| {name} | {layout} | {n} | {kb / n:.1%} → {ka / n:.1%} | {fb / n:.1%} → {fa / n:.1%} |")
    print("\nlines removed by reason (all extractors):", dict(sorted(reasons.items())))


if __name__ == "__main__":
    main()
