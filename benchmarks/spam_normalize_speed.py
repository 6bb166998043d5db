"""Speed and parity of the spam taggers and the normalizers against an older commit, side by side.

The reference is the code of ``--ref`` (default ``2f99ba1``, before the spam screen and the
normalizer changes of issue 10): ``src/taosha/filters/spam.py``, ``src/taosha/normalize/`` and
``src/taosha/text/`` are taken with ``git show`` into a temporary package ``taosha_ref`` (the rest,
``taosha.step`` and friends, is shared), so both versions run in one process on the same documents.

Parity (every document of every file of ../shared/data, or the files given): for each document,
``unicode_cleanup`` then ``zh_normalize`` (text, fixes reported, ``traditional_share``), then the four
taggers (``gambling_score``, ``porn_score``, ``seo_spam_score``, ``ad_spam_score``, with the page
title where the record has one) on the normalized text; any difference is printed and the script
exits with status 1.

Speed (``--speed``, the six long-document files of ``benchmarks/compare/run.py``): CPU seconds
(``time.process_time``) of each step over all documents, old and new alternating, ``--repeats``
rounds, medians; the taggers run one after the other on each document, as in a recipe.

    .venv/bin/python benchmarks/spam_normalize_speed.py               # parity on all 16 files
    .venv/bin/python benchmarks/spam_normalize_speed.py --speed       # + timings on the long set
    .venv/bin/python benchmarks/spam_normalize_speed.py --frequent    # taosha.filters.spam._FREQUENT

``--frequent`` prints the 300 most frequent characters of folded text (the first 3,000 documents of
each file), the ranks the spam screen uses to pick the character it looks for first.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import orjson

from taosha import Document
from taosha.filters import spam
from taosha.normalize import unicode as unicode_new
from taosha.normalize import zh as zh_new

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT / "benchmarks" / "compare"))
from run import INPUTS  # noqa: E402

OWNED = ("filters/spam.py", "normalize", "text")
TAGGERS = ("GamblingScore", "PornScore", "SeoSpamScore", "AdSpamScore")


def load_reference(ref: str, into: Path) -> object:
    """Import the ``ref`` versions of the owned modules as the package ``taosha_ref``."""
    package = into / "taosha_ref"
    files = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", ref, "src/taosha/"], cwd=ROOT, check=True,
        capture_output=True, text=True,
    ).stdout.split()
    for name in files:
        rel = name.removeprefix("src/taosha/")
        if not rel.endswith(".py") or not any(rel == o or rel.startswith(o + "/") for o in OWNED):
            continue
        source = subprocess.run(["git", "show", f"{ref}:{name}"], cwd=ROOT, check=True,
                                capture_output=True, text=True).stdout
        for mod in ("taosha.text", "taosha.normalize", "taosha.filters.spam"):
            source = source.replace(mod, mod.replace("taosha.", "taosha_ref.", 1))
        target = package / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    for folder in (package, package / "filters", package / "normalize", package / "text"):
        (folder / "__init__.py").touch()
    sys.path.insert(0, str(into))
    importlib.invalidate_caches()
    return {
        "spam": importlib.import_module("taosha_ref.filters.spam"),
        "unicode": importlib.import_module("taosha_ref.normalize.unicode"),
        "zh": importlib.import_module("taosha_ref.normalize.zh"),
    }


def records(path: Path) -> list[tuple[str, str, dict]]:
    out = []
    with gzip.open(path, "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            title = (r.get("meta") or {}).get("title") if isinstance(r.get("meta"), dict) else None
            out.append((str(r.get("id")), r["text"], {"title": title} if title else {}))
    return out


def parity(ref: dict, paths: list[Path]) -> int:
    cleanup = (ref["unicode"].UnicodeCleanup(), unicode_new.UnicodeCleanup())
    normalize = (ref["zh"].ZhNormalize(), zh_new.ZhNormalize())
    taggers = [(getattr(ref["spam"], t)(), getattr(spam, t)()) for t in TAGGERS]
    bad = 0
    for path in paths:
        n = 0
        for doc_id, text, meta in records(path):
            n += 1
            a, fa = cleanup[0].map_noted(Document(doc_id, text, dict(meta)))
            b, fb = cleanup[1].map_noted(Document(doc_id, text, dict(meta)))
            if (a.text, fa) != (b.text, fb):
                bad += 1
                print(f"unicode_cleanup differs: {path.name} {doc_id}: {fa} {fb}")
                continue
            old = normalize[0].normalize(a.text)
            new = normalize[1].normalize(a.text)
            if old != new:
                bad += 1
                print(f"zh_normalize differs: {path.name} {doc_id}: {old[1:]} {new[1:]}")
                continue
            doc = Document(doc_id, new[0], dict(meta))
            for old_step, new_step in taggers:
                x, y = old_step.score(doc), new_step.score(doc)
                if x != y:
                    bad += 1
                    print(f"{new_step.name} differs: {path.name} {doc_id}: {x} != {y}")
        print(f"{path.name}: {n} documents checked")
    return bad


def speed(ref: dict, repeats: int) -> None:
    docs = [r for name in INPUTS for r in records(DATA / f"{name}.jsonl.gz")]
    chars = sum(len(t) for _, t, _ in docs)
    cleaned = [unicode_new.UnicodeCleanup().map_noted(Document(i, t, dict(m)))[0].text for i, t, m in docs]
    normalized = [zh_new.ZhNormalize().normalize(t)[0] for t in cleaned]
    tagged = [Document(i, t, dict(m)) for (i, _, m), t in zip(docs, normalized, strict=True)]
    versions = {"old": ref, "new": {"spam": spam, "unicode": unicode_new, "zh": zh_new}}
    times: dict[tuple[str, str], list[float]] = {}

    def clock(key: tuple[str, str], fn, items) -> None:  # type: ignore[no-untyped-def]
        start = time.process_time()
        for item in items:
            fn(item)
        times.setdefault(key, []).append(time.process_time() - start)

    for _ in range(repeats):
        for label, mods in versions.items():
            cleanup = mods["unicode"].UnicodeCleanup()
            clock((label, "unicode_cleanup"), lambda t, s=cleanup: s.map_noted(Document("", t)), [t for _, t, _ in docs])
            clock((label, "zh_normalize"), mods["zh"].ZhNormalize().normalize, cleaned)
            steps = [getattr(mods["spam"], t)() for t in TAGGERS]
            per = {s.name: 0.0 for s in steps}
            for doc in tagged:  # one document through the four taggers, as in a recipe
                for s in steps:
                    start = time.process_time()
                    s.score(doc)
                    per[s.name] += time.process_time() - start
            for name, seconds in per.items():
                times.setdefault((label, name), []).append(seconds)
            times.setdefault((label, "four taggers"), []).append(sum(per.values()))
    print(f"long set: {len(docs)} documents, {chars:,} characters; CPU s, median of {repeats}")
    print("| step | old | new | new/old |")
    print("|---|---:|---:|---:|")
    for name in ("unicode_cleanup", "zh_normalize", *(s.name for s in steps), "four taggers"):
        old, new = statistics.median(times[("old", name)]), statistics.median(times[("new", name)])
        print(f"| {name} | {old:.3f} | {new:.3f} | {new / old:.2f} |")


def frequent(count: int = 300, per_file: int = 3000) -> str:
    """The ``count`` most frequent non-space characters of folded text, most frequent first."""
    freq: Counter[str] = Counter()
    for path in sorted(DATA.glob("*.jsonl.gz")):
        with gzip.open(path, "rb") as fh:
            for line in itertools.islice(fh, per_file):
                freq.update(spam.fold(orjson.loads(line)["text"]))
    return "".join(c for c, _ in freq.most_common() if not c.isspace())[:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--ref", default="2f99ba1")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--no-parity", action="store_true")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--frequent", action="store_true")
    args = parser.parse_args()
    if args.frequent:
        print(frequent())
        return
    with tempfile.TemporaryDirectory() as tmp:
        ref = load_reference(args.ref, Path(tmp))
        bad = 0
        if not args.no_parity:
            bad = parity(ref, args.files or sorted(DATA.glob("*.jsonl.gz")))
            print("parity:", "OK, no difference" if not bad else f"{bad} differences")
        if args.speed:
            speed(ref, args.repeats)
    raise SystemExit(1 if bad else 0)


if __name__ == "__main__":
    main()
