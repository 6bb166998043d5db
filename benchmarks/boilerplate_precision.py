"""What each normalization fix and each boilerplate rule touches on ../shared/data, with samples to read.

For every source file: documents changed per ``zh_normalize`` fix, and documents and lines removed per
``boilerplate_lines`` rule (``unicode_cleanup`` -> ``zh_normalize`` -> ``boilerplate_lines``, as in the
zh-web recipe).  Then, per rule, a seeded random sample of hits printed for a person to judge.

    .venv/bin/python benchmarks/boilerplate_precision.py [--samples 20] [--seed 3] [--limit N]
        [--only boilerplate|normalize] [--markdown table.md]
"""

from __future__ import annotations

import argparse
import collections
import difflib
import gzip
import os
import random
import sys
from pathlib import Path

import orjson

from taosha.clean.boilerplate import BoilerplateLines
from taosha.document import Document
from taosha.normalize.unicode import UnicodeCleanup
from taosha.normalize.zh import ZhNormalize
from taosha.step import Drop

DATA = Path(os.environ.get("TAOSHA_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))


def diff_snippet(before: str, after: str, width: int = 40) -> str:
    sm = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            return f"{before[max(0, i1 - width):i2 + width]!r}\n      -> {after[max(0, j1 - width):j2 + width]!r}"
    return "(no change)"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--only", choices=["boilerplate", "normalize"], default=None)
    ap.add_argument("--markdown", type=Path, default=None)
    args = ap.parse_args()

    uc, zh, bp = UnicodeCleanup(), ZhNormalize(), BoilerplateLines()
    fix_docs: dict[str, collections.Counter[str]] = {}
    rule_docs: dict[str, collections.Counter[str]] = {}
    rule_lines: dict[str, collections.Counter[str]] = {}
    fix_hits: dict[str, list[str]] = collections.defaultdict(list)
    rule_hits: dict[str, list[str]] = collections.defaultdict(list)
    files = sorted(DATA.glob("*.jsonl.gz"))
    for path in files:
        name = path.name.replace(".jsonl.gz", "")
        fd, rd, rl = collections.Counter(), collections.Counter(), collections.Counter()
        fd["docs"] = 0
        with gzip.open(path, "rb") as fh:
            for i, raw in enumerate(fh):
                if args.limit and i >= args.limit:
                    break
                rec = orjson.loads(raw)
                doc = Document(str(rec["id"]), rec["text"])
                fd["docs"] += 1
                doc, _ = uc.map_noted(doc)
                before = doc.text
                for fix_name, fix, _gate in zh._fixes:
                    new = fix(before)
                    if new != before:
                        fd[fix_name] += 1
                        fix_hits[fix_name].append(f"[{name} {doc.id}] {diff_snippet(before, new)}")
                        before = new
                lines = before.split("\n")
                verdicts = bp.keep_lines(lines)
                seen = set()
                for idx, (line, v) in enumerate(zip(lines, verdicts, strict=True)):
                    if isinstance(v, Drop):
                        rl[v.reason] += 1
                        seen.add(v.reason)
                        prev = lines[idx - 1][:60] if idx else "<start>"
                        rule_hits[v.reason].append(
                            f"[{name} {doc.id} line {idx + 1}/{len(lines)}] {line[:160]!r}\n      (prev: {prev!r})"
                        )
                for r in seen:
                    rd[r] += 1
        fix_docs[name], rule_docs[name], rule_lines[name] = fd, rd, rl
        print(f"read {name}: {fd['docs']} docs", file=sys.stderr)

    fixes = [f for f, _, _ in zh._fixes]
    rules = sorted({r for c in rule_lines.values() for r in c})
    out: list[str] = []
    out.append("### zh_normalize: documents changed per fix\n")
    out.append("| file | docs | " + " | ".join(fixes) + " |")
    out.append("|---|---:|" + "---:|" * len(fixes))
    for name, fd in fix_docs.items():
        out.append(f"| {name} | {fd['docs']} | " + " | ".join(str(fd[f]) for f in fixes) + " |")
    out.append("\n### boilerplate_lines: documents / lines removed per rule\n")
    out.append("| file | " + " | ".join(rules) + " |")
    out.append("|---|" + "---:|" * len(rules))
    for name in rule_docs:
        out.append(
            f"| {name} | " + " | ".join(f"{rule_docs[name][r]} / {rule_lines[name][r]}" for r in rules) + " |"
        )
    table = "\n".join(out)
    print(table)
    if args.markdown:
        args.markdown.write_text(table + "\n")

    rng = random.Random(args.seed)
    groups = []
    if args.only != "boilerplate":
        groups.append(("fix", fix_hits))
    if args.only != "normalize":
        groups.append(("rule", rule_hits))
    for kind, hits in groups:
        for key in sorted(hits):
            pool = hits[key]
            sample = pool if len(pool) <= args.samples else rng.sample(pool, args.samples)
            print(f"\n===== {kind} {key}: {len(pool)} hits, {len(sample)} shown")
            for n, h in enumerate(sample, 1):
                print(f"  {n:2d}. {h}")


if __name__ == "__main__":
    main()
