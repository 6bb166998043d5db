"""``zh-web`` over ../shared/data beside the read-parse-write floor, in one run.

Prints, for the floor and for taosha with 1 and 2 workers: seconds, documents/s, MB/s of text
(UTF-8 bytes of the ``text`` fields), peak RSS of the process tree, and the ratio to the floor.
Runs alternate (floor, w1, w2, floor, ...) and the median of ``--repeat`` is reported, because this
machine is small and shared.

    python benchmarks/run_floor.py                 # the long documents (news, web, wiki)
    python benchmarks/run_floor.py --set all       # every file of ../shared/data
"""

from __future__ import annotations

import argparse
import compileall
import gzip
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import orjson

sys.path.insert(0, str(Path(__file__).parent))
from _measure import measure  # noqa: E402

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
SETS = {
    "long": ["news_thucnews_sample", "web_chinesewebtext_sample", "web_cluecorpussmall_sample",
             "wiki_zhwiki_sample", "wiki_cmrc2018_contexts", "wiki_drcd_traditional_contexts"],
    "short": ["weibo_ced_reposts", "weibo_checked_comments", "reviews_book_review"],
}


def corpus_size(files: list[Path]) -> tuple[int, int]:
    docs = nbytes = 0
    for path in files:
        with gzip.open(path, "rb") as fh:
            for line in fh:
                docs += 1
                nbytes += len(orjson.loads(line)["text"].encode("utf-8"))
    return docs, nbytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", default="long", choices=[*SETS, "all"])
    parser.add_argument("--recipe", default="zh-web")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    names = sorted(p.name.removesuffix(".jsonl.gz") for p in DATA.glob("*.jsonl.gz")) if args.set == "all" else SETS[args.set]
    files = [DATA / f"{n}.jsonl.gz" for n in names]
    # Bytecode, as an installed package has (this machine sets PYTHONDONTWRITEBYTECODE=1).
    compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "src" / "taosha"), quiet=1)
    docs, text_bytes = corpus_size(files)
    mb = text_bytes / 1e6
    print(f"corpus: {args.set} = {len(files)} files, {docs:,} documents, {mb:.1f} MB of text")
    tmp = Path(tempfile.mkdtemp(prefix="taosha-bench-"))
    runs: dict[str, list[tuple[float, float]]] = {"floor": [], "taosha -w 1": [], "taosha -w 2": []}
    try:
        for _ in range(args.repeat):
            for label in runs:
                out = tmp / "out"
                shutil.rmtree(out, ignore_errors=True)
                if label == "floor":
                    cmd = [sys.executable, str(Path(__file__).parent / "floor.py"), str(out), *map(str, files)]
                else:
                    workers = label.rsplit(" ", 1)[1]
                    cmd = [sys.executable, "-m", "taosha", "run", args.recipe, "-i", *map(str, files), "-o", str(out),
                           "-w", workers, "-q"]
                runs[label].append(measure(cmd))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    floor_s = statistics.median(s for s, _ in runs["floor"])
    print(f"{'':14} {'seconds':>8} {'docs/s':>9} {'MB/s':>7} {'peak MiB':>9} {'x floor time':>13}")
    for label, values in runs.items():
        seconds = statistics.median(s for s, _ in values)
        peak = max(p for _, p in values)
        print(f"{label:14} {seconds:8.2f} {docs / seconds:9,.0f} {mb / seconds:7.2f} {peak:9.0f} {seconds / floor_s:13.2f}")


if __name__ == "__main__":
    main()
