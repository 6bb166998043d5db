"""datatrove's closest equivalent of taosha's ``zh-web``; run by the datatrove virtualenv's Python.

Usage: ``python dt_pipeline.py OUT DATA_DIR FILE...`` (FILE names relative to DATA_DIR).  Each of the
five executors runs in its own child process, as separate jobs would: a second executor in the same
process fails to deep-copy its pipeline once spaCy has been loaded by the first.

What it builds, following FineWeb-2's own pipeline (huggingface/fineweb-2, fineweb-2-pipeline.py) with
its ``configs/cmn_Hani.yml`` thresholds, which datatrove uses with ``language="cmn_Hani"`` (spaCy's
``zh`` blank model with jieba words):

1. ``FTFYFormatter`` (its normalizer; FineWeb-2 applies it last, in "final touches").
2. ``GopherRepetitionFilter``: dup_line_frac 0.287, top 2/3/4-grams 0.256/0.201/0.171, dup 5..10-grams
   0.198..0.127; paragraph and line-character fractions off, as in FineWeb-2.
3. ``FineWebQualityFilter``: line_punct_thr 0.106, new_line_ratio 0.178, char_duplicates_ratio 0.1,
   short lines off, as in FineWeb-2.
4. ``GopherQualityFilter``: word length 1..5, non-alpha words 0.735, the 22 cmn_Hani stop words, min 2.
5. MinHash dedup (signatures, buckets, clusters, filter) with word 5-grams, 14 buckets x 9 hashes
   (126 permutations, taosha's 14 x 9 bands at 0.8), 64-bit xxhash, as FineWeb-2 but 9 rows not 8.
6. ``C4QualityFilter`` with datatrove's defaults and ``language="cmn_Hani"`` (FineWeb-2 does not apply
   C4; the issue asks for it; its terminal-punctuation check is ASCII-only, so it is run with
   ``filter_no_terminal_punct=False``).  It runs after dedup, so that its removals (most of the
   corpus: it wants 5 sentences of 3 or more words per paragraph) can be set aside in the comparison.
7. ``PIIFormatter`` (e-mails and public IPs).

Each filter's removed documents go to ``OUT/removed/<filter>/`` so that reasons can be joined by id;
datatrove's own per-step time and counts go to ``OUT/logs/*/stats.json``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LANG = "cmn_Hani"
# FineWeb-2 configs/cmn_Hani.yml
CMN = {
    "dup_line_frac": 0.287,
    "dup_n_grams": ((5, 0.198), (6, 0.182), (7, 0.167), (8, 0.154), (9, 0.14), (10, 0.127)),
    "top_n_grams": ((2, 0.256), (3, 0.201), (4, 0.171)),
    "line_punct_thr": 0.106,
    "max_avg_word_length": 5,
    "min_avg_word_length": 1,
    "max_non_alpha_words_ratio": 0.735,
    "new_line_ratio": 0.178,
    "stopwords": ["的", "年", "在", "月", "是", "和", "日", "了", "於", "·", "為", "有", "被", "人", "中", "为", "他",
                  "與", "後", "也", "而", "由"],
}


def executors(out: Path, data_dir: str, tasks: int) -> list:  # type: ignore[type-arg]
    """The five executors; datatrove is imported here only, so the parent process stays small."""
    from datatrove.executor.local import LocalPipelineExecutor
    from datatrove.pipeline.dedup import MinhashDedupCluster, MinhashDedupFilter, MinhashDedupSignature
    from datatrove.pipeline.dedup.minhash import MinhashConfig, MinhashDedupBuckets
    from datatrove.pipeline.filters import (
        C4QualityFilter,
        FineWebQualityFilter,
        GopherQualityFilter,
        GopherRepetitionFilter,
    )
    from datatrove.pipeline.formatters import FTFYFormatter, PIIFormatter
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers.jsonl import JsonlWriter
    from datatrove.utils.hashing import HashConfig

    paths_file = out / "paths.txt"

    def reader() -> JsonlReader:
        return JsonlReader(data_dir, paths_file=str(paths_file), add_file_path=False)

    def removed(name: str) -> JsonlWriter:
        return JsonlWriter(str(out / "removed" / name), compression=None)

    filtered = out / "filtered"

    def filtered_reader() -> JsonlReader:
        return JsonlReader(str(filtered), add_file_path=False)

    config = MinhashConfig(hash_config=HashConfig(hash_fc="xxhash", precision=64), num_buckets=14, hashes_per_bucket=9,
                           n_grams=5)
    mh = out / "minhash"
    return [
        LocalPipelineExecutor(
            pipeline=[
                reader(),
                FTFYFormatter(),
                GopherRepetitionFilter(
                    language=LANG, dup_para_frac=0, dup_line_char_frac=0, dup_para_char_frac=0,
                    dup_line_frac=CMN["dup_line_frac"], top_n_grams=CMN["top_n_grams"], dup_n_grams=CMN["dup_n_grams"],
                    exclusion_writer=removed("gopher_rep"),
                ),
                FineWebQualityFilter(
                    language=LANG, short_line_thr=999, char_duplicates_ratio=0.1,
                    line_punct_thr=CMN["line_punct_thr"], new_line_ratio=CMN["new_line_ratio"],
                    exclusion_writer=removed("fineweb_qual"),
                ),
                GopherQualityFilter(
                    language=LANG, max_avg_word_length=CMN["max_avg_word_length"],
                    min_avg_word_length=CMN["min_avg_word_length"], stop_words=CMN["stopwords"],
                    max_non_alpha_words_ratio=CMN["max_non_alpha_words_ratio"], min_stop_words=2,
                    exclusion_writer=removed("gopher_qual"),
                ),
                JsonlWriter(str(filtered), compression=None),
            ],
            tasks=tasks, workers=1, logging_dir=str(out / "logs" / "filter"),
        ),
        LocalPipelineExecutor(
            pipeline=[filtered_reader(), MinhashDedupSignature(output_folder=str(mh / "sigs"), config=config,
                                                               language=LANG)],
            tasks=tasks, workers=1, logging_dir=str(out / "logs" / "mh1"),
        ),
        LocalPipelineExecutor(
            pipeline=[MinhashDedupBuckets(input_folder=str(mh / "sigs"), output_folder=str(mh / "buckets"),
                                          config=config)],
            tasks=config.num_buckets, workers=1, logging_dir=str(out / "logs" / "mh2"),
        ),
        LocalPipelineExecutor(
            pipeline=[MinhashDedupCluster(input_folder=str(mh / "buckets"), output_folder=str(mh / "remove_ids"),
                                          config=config, save_cluster_size=True)],
            tasks=1, workers=1, logging_dir=str(out / "logs" / "mh3"),
        ),
        LocalPipelineExecutor(
            pipeline=[
                filtered_reader(),
                MinhashDedupFilter(input_folder=str(mh / "remove_ids"), exclusion_writer=removed("minhash")),
                C4QualityFilter(language=LANG, filter_no_terminal_punct=False, exclusion_writer=removed("c4")),
                PIIFormatter(),
                JsonlWriter(str(out / "data")),
            ],
            tasks=tasks, workers=1, logging_dir=str(out / "logs" / "mh4"),
        ),
    ]


def main() -> None:
    if sys.argv[1] == "--stage":
        stage, out, data_dir, tasks = int(sys.argv[2]), Path(sys.argv[3]), sys.argv[4], int(sys.argv[5])
        executors(out, data_dir, tasks)[stage].run()
        return
    out = Path(sys.argv[1])
    data_dir = sys.argv[2]
    files = sys.argv[3:]
    out.mkdir(parents=True, exist_ok=True)
    (out / "paths.txt").write_text("\n".join(files) + "\n")
    for stage in range(5):
        subprocess.run([sys.executable, __file__, "--stage", str(stage), str(out), data_dir, str(len(files))],
                       check=True)


if __name__ == "__main__":
    main()
