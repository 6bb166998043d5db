"""taosha's ``zh-web`` against datatrove and Data-Juicer on the same Chinese corpus, end to end.

One command (from the repository root)::

    .venv/bin/python benchmarks/compare/run.py            # 3 alternating rounds, table on stdout
    .venv/bin/python benchmarks/compare/run.py --repeats 1 --only taosha-full,floor

What it does:

1. Makes sure the peers are installed, each in its own virtualenv under ``benchmarks/_work/``
   (gitignored): ``peers`` = datatrove 0.10.1 with ``[processing]`` plus spaCy and jieba (which its
   ``cmn_Hani`` word tokenizer needs), ``dj`` = py-data-juicer 1.6.1 plus the packages its text
   operators import (ftfy, scipy, aiohttp, ray; it would otherwise install them itself at run time).
   Present environments are reused.
2. Runs, on the same input (``INPUTS`` below: 9,224 documents, 11.5 MB of text, from ../shared/data),
   in alternating order, ``--repeats`` rounds: the read-parse-write floor (``benchmarks/floor.py``),
   taosha's ``zh-web`` as shipped, taosha's ``zh-web`` with every step on (``taosha-full``: the
   quality, language and spam steps and ``near_dedup`` added where missing) with 1 and 2 workers,
   datatrove (``dt_pipeline.py``: FineWeb-2's ``cmn_Hani`` pipeline plus C4) and Data-Juicer
   (``dj_run.py`` with the config written by :func:`dj_config`).  Peers run with downloads disabled
   (``PIP_NO_INDEX``, ``UV_OFFLINE``, ``HF_HUB_OFFLINE``).
3. Prints the medians: wall seconds, CPU seconds (user + system of the whole process tree), MB/s of
   text per core (text MB / wall seconds / workers, and text MB / CPU seconds, which is what a core
   achieves when the machine is shared), ratios to taosha and to the floor, peak memory (summed RSS
   of the process tree, sampled every 20 ms, and summed PSS, which counts the pages that forked
   workers share with their parent once instead of once per process), then what each removed: removed-document sets by id,
   their pairwise overlap, per-step counts, and a sample of disagreements with short excerpts.

Outputs and logs of the last round stay in ``benchmarks/_work/compare/``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))
from _measure import tree_memory_kib  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
WORK = ROOT / "benchmarks" / "_work"
OUT = WORK / "compare"
HERE = Path(__file__).resolve().parent
PY = ROOT / ".venv" / "bin" / "python"
PEERS = WORK / "peers"
DJ = WORK / "dj"
INPUTS = (
    "news_thucnews_sample", "web_chinesewebtext_sample", "web_cluecorpussmall_sample",
    "wiki_zhwiki_sample", "wiki_cmrc2018_contexts", "wiki_drcd_traditional_contexts",
)
OFFLINE = {"PIP_NO_INDEX": "1", "UV_OFFLINE": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}

# Steps added to zh-web for "every step on", after the step named first (when not there already).
FULL_EXTRA = (
    ("length_filter", [{"lang_id": {}}, {"zh_heuristics": {}}, {"gambling_score": {}}, {"porn_score": {}},
                       {"seo_spam_score": {}}, {"ad_spam_score": {}}]),
    ("exact_dedup", [{"near_dedup": {}}]),
)


# -- environments -----------------------------------------------------------------------------------

def _ok(python: Path, code: str) -> bool:
    if not python.exists():
        return False
    return subprocess.run([str(python), "-c", code], capture_output=True, env={**os.environ, **OFFLINE}).returncode == 0


def _install(venv: Path, packages: list[str], log: Path) -> None:
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    with open(log, "ab") as fh:
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", *packages], check=True, stdout=fh,
                       stderr=subprocess.STDOUT)


def ensure_envs() -> dict[str, str]:
    """Install the peers when absent; returns their versions."""
    OUT.mkdir(parents=True, exist_ok=True)
    dt_py, dj_py = PEERS / "bin" / "python", DJ / "bin" / "python"
    if not _ok(dt_py, "import datatrove, spacy, jieba"):
        print("installing datatrove into", PEERS, flush=True)
        _install(PEERS, ["datatrove[processing]==0.10.1", "spacy", "jieba"], OUT / "install-peers.log")
    if not _ok(dj_py, "import ray, ftfy, scipy, aiohttp, data_juicer.core"):
        print("installing Data-Juicer into", DJ, flush=True)
        _install(DJ, ["py-data-juicer==1.6.1", "ftfy", "scipy", "aiohttp", "ray"], OUT / "install-dj.log")
    versions = {}
    for name, py, mod in (("datatrove", dt_py, "datatrove"), ("data-juicer", dj_py, "py-data-juicer")):
        out = subprocess.run([str(py), "-m", "pip", "show", mod], capture_output=True, text=True).stdout
        versions[name] = next((line.split()[1] for line in out.splitlines() if line.startswith("Version:")), "?")
    return versions


# -- the tools --------------------------------------------------------------------------------------

def input_paths() -> list[Path]:
    return [DATA / f"{name}.jsonl.gz" for name in INPUTS]


def full_recipe() -> tuple[Path, list[str]]:
    """zh-web with every step on; returns the YAML path and the names of the steps added."""
    import taosha.recipes

    base = yaml.safe_load((Path(taosha.recipes.__file__).parent / "zh-web.yaml").read_text())
    steps = base["steps"]
    names = [next(iter(s)) for s in steps]
    added = []
    for after, extra in FULL_EXTRA:
        at = names.index(after) + 1 if after in names else len(steps)
        for item in extra:
            name = next(iter(item))
            if name not in names:
                steps.insert(at, item)
                names.insert(at, name)
                added.append(name)
                at += 1
    base["name"] = "zh-web-full"
    base["description"] = "zh-web with every step on (benchmarks/compare/run.py)"
    path = OUT / "zh-web-full.yaml"
    path.write_text(yaml.safe_dump(base, allow_unicode=True, sort_keys=False))
    return path, added


def dj_input() -> Path:
    """Data-Juicer's copy of the input: only ``id``, ``text``, ``source``.

    Hugging Face ``datasets`` (which Data-Juicer loads with) stops with ``DatasetGenerationError`` when
    the files disagree on their other fields (``meta`` is an object in some, absent in others).
    Written once, not timed.
    """
    directory = OUT / "dj-input"
    if len(list(directory.glob("*.jsonl.gz"))) == len(INPUTS):
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    for path in input_paths():
        with gzip.open(path) as src, gzip.open(directory / path.name, "wb", compresslevel=3) as dst:
            for line in src:
                record = orjson.loads(line)
                dst.write(orjson.dumps({"id": record["id"], "text": record["text"], "source": record.get("source")}) + b"\n")
    return directory


def dj_config(out: Path) -> Path:
    """Data-Juicer's closest equivalent of zh-web, text operators only.

    Normalizers: ``fix_unicode_mapper`` (ftfy), ``whitespace_normalization_mapper``,
    ``clean_copyright_mapper``.  ``punctuation_normalization_mapper`` is left out: it turns Chinese
    full-width punctuation into ASCII, the opposite of what a Chinese corpus wants.  Filters with
    taosha's thresholds where Data-Juicer measures something close: length >= 20 characters,
    character 10-gram repetition <= 0.5, special characters <= 0.25, mean line length >= 20.  Not
    used because they download at run time: ``language_id_score_filter`` (fastText model),
    ``perplexity_filter`` (KenLM model), ``stopwords_filter`` and ``flagged_words_filter`` (word
    lists), ``word_repetition_filter`` with tokenization (SentencePiece model; without it, words are
    split on spaces, which Chinese does not have).  Dedup: exact (``document_deduplicator``,
    lowercase, non-characters ignored) and MinHash with character 5-grams, 128 permutations,
    Jaccard 0.8 (bands and rows are Data-Juicer's own choice).  PII: ``pii_redaction_mapper``
    (e-mails, phones, ID cards, IPs, ...).
    """
    config = {
        "project_name": "taosha-compare",
        "dataset_path": str(dj_input()),
        "export_path": str(out / "data.jsonl"),
        "np": 1,
        "text_keys": "text",
        "use_cache": False,
        "open_tracer": False,
        "process": [
            {"fix_unicode_mapper": {}},
            {"whitespace_normalization_mapper": {}},
            {"clean_copyright_mapper": {}},
            {"text_length_filter": {"min_len": 20}},
            {"character_repetition_filter": {"rep_len": 10, "max_ratio": 0.5}},
            {"special_characters_filter": {"max_ratio": 0.25}},
            {"average_line_length_filter": {"min_len": 20}},
            {"document_deduplicator": {"lowercase": True, "ignore_non_character": True}},
            {"pii_redaction_mapper": {}},
            {"document_minhash_deduplicator": {"tokenization": "character", "window_size": 5, "num_permutations": 128,
                                               "jaccard_threshold": 0.8}},
        ],
    }
    path = OUT / "dj-config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False))
    return path


def commands(full: Path) -> dict[str, tuple[list[str], int, dict[str, str]]]:
    """name -> (command with ``{out}`` for the output folder, workers, extra environment)."""
    ins = [arg for path in input_paths() for arg in ("-i", str(path))]
    taosha = [str(PY), "-m", "taosha", "run"]
    return {
        "floor": ([str(PY), str(ROOT / "benchmarks" / "floor.py"), "{out}", *map(str, input_paths())], 1, {}),
        "taosha-zh-web": ([*taosha, "zh-web", *ins, "-o", "{out}", "-w", "1", "-q", "--fresh"], 1, {}),
        "taosha-full": ([*taosha, str(full), *ins, "-o", "{out}", "-w", "1", "-q", "--fresh"], 1, {}),
        "taosha-full-w2": ([*taosha, str(full), *ins, "-o", "{out}", "-w", "2", "-q", "--fresh"], 2, {}),
        "datatrove": ([str(PEERS / "bin" / "python"), str(HERE / "dt_pipeline.py"), "{out}", str(DATA),
                       *(p.name for p in input_paths())], 1, OFFLINE),
        "data-juicer": ([str(DJ / "bin" / "python"), str(HERE / "dj_run.py"), "--config", "{config}"], 1,
                        {**OFFLINE, "HF_HOME": str(OUT / "hf-home")}),
    }


def measure(cmd: list[str], env: dict[str, str], log: Path) -> dict[str, float]:
    """Wall seconds, CPU seconds of the process tree, peak summed RSS and peak summed PSS (MiB).

    Like ``benchmarks/_measure.py``'s ``measure`` but with output to a log file (Data-Juicer's progress
    bars would fill a pipe) and CPU time from ``RUSAGE_CHILDREN`` (every descendant is waited for).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(log, "wb") as fh:
        proc = subprocess.Popen(cmd, env={**os.environ, **env}, stdout=fh, stderr=subprocess.STDOUT)
        peak = peak_pss = 0
        samples = 0
        while proc.poll() is None:
            # PSS (smaps_rollup) costs the kernel a page-table walk: read it every 5th sample only,
            # or the sampling itself takes CPU from a 2-worker run on this 2-core machine.
            samples += 1
            rss, pss = tree_memory_kib(proc.pid, pss=samples % 5 == 1)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            time.sleep(0.02)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}); see {log}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "peak": peak / 1024, "peak_pss": peak_pss / 1024}


def run_all(names: list[str], repeats: int, full: Path) -> dict[str, list[dict[str, float]]]:
    cmds = commands(full)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in names}
    for round_ in range(repeats):
        order = names[round_ % len(names):] + names[: round_ % len(names)]
        for name in order:
            cmd, _, env = cmds[name]
            out = OUT / f"out-{name}"
            shutil.rmtree(out, ignore_errors=True)
            out.mkdir(parents=True)
            config = dj_config(out) if name == "data-juicer" else None
            cmd = [c.replace("{out}", str(out)).replace("{config}", str(config)) for c in cmd]
            load = os.getloadavg()[0]
            m = measure(cmd, env, OUT / f"{name}.log")
            m["load"] = load
            results[name].append(m)
            print(f"round {round_ + 1} {name:16s} wall {m['wall']:7.2f} s  cpu {m['cpu']:7.2f} s  "
                  f"peak {m['peak']:7.1f} MiB  (load {load:.1f})", flush=True)
    return results


# -- what each removed ------------------------------------------------------------------------------

def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    if path.name.endswith(".zst"):
        from taosha.io.zstd import open_zstd

        with path.open("rb") as raw:
            for line in open_zstd(raw):
                if line.strip():
                    yield orjson.loads(line)
        return
    opener = gzip.open if path.name.endswith(".gz") else open
    with opener(path, "rb") as fh:
        for line in fh:
            if line.strip():
                yield orjson.loads(line)


def input_docs() -> dict[str, tuple[str, str]]:
    """id -> (source file, text)."""
    docs = {}
    for path in input_paths():
        for record in _jsonl(path):
            docs[str(record["id"])] = (path.name.removesuffix(".jsonl.gz"), record["text"])
    return docs


def removals(name: str) -> dict[str, str] | None:
    """Removed id -> reason for one tool's last output, or None when it did not run."""
    out = OUT / f"out-{name}"
    if name.startswith("taosha"):
        if not (out / "stats.json").exists():
            return None
        reasons = {}
        for path in sorted((out / "removed").glob("*.jsonl*")):
            for record in _jsonl(path):
                by = record.get("removed_by", {})
                reasons[str(record["id"])] = f"{by.get('step')}:{by.get('reason')}"
        return reasons
    if name == "datatrove":
        if not (out / "data").is_dir():
            return None
        reasons = {}
        for folder in sorted((out / "removed").iterdir()):
            for path in folder.glob("*.jsonl*"):
                for record in _jsonl(path):
                    meta = record.get("metadata") or {}
                    reason = meta.get("filter_reason")
                    reasons[str(record["id"])] = folder.name + (f":{reason}" if reason else "")
        return reasons
    if name == "data-juicer":
        data = out / "data.jsonl"
        if not data.exists():
            return None
        kept = {str(r["id"]) for r in _jsonl(data)}
        # Data-Juicer does not say which operator removed a document (its tracer, ``open_tracer``,
        # wrote no filter traces in 1.6.1 here): the per-operator counts come from its log.
        return {doc_id: "data-juicer" for doc_id in ALL_IDS if doc_id not in kept}
    return None


ALL_IDS: list[str] = []


def dj_op_counts() -> list[tuple[str, int, float]]:
    """(operator, documents removed, seconds) from Data-Juicer's log."""
    log = OUT / "data-juicer.log"
    if not log.exists():
        return []
    rows, left = [], len(ALL_IDS)
    for m in re.finditer(r"OP \[(\w+)\] Done in ([\d.]+)s\. Left (\d+) samples", log.read_text(errors="replace")):
        rows.append((m.group(1), left - int(m.group(3)), float(m.group(2))))
        left = int(m.group(3))
    return rows


def dt_step_seconds() -> list[tuple[str, float]]:
    rows = []
    for stage in ("filter", "mh1", "mh2", "mh3", "mh4"):
        path = OUT / "out-datatrove" / "logs" / stage / "stats.json"
        if path.exists():
            for step in json.loads(path.read_text()):
                rows.append((f"{stage}: {step['name'].split(': ', 1)[-1]}", step["time_stats"]["total"]))
    return rows


def excerpt(text: str, n: int = 40) -> str:
    flat = re.sub(r"\s+", " ", text).strip()
    return (flat[:n] + "…") if len(flat) > n else flat


def report(results: dict[str, list[dict[str, float]]], versions: dict[str, str], added: list[str],
           samples: int) -> str:
    lines: list[str] = []
    emit = lines.append
    docs = input_docs()
    ALL_IDS[:] = list(docs)
    mb = sum(len(text.encode()) for _, text in docs.values()) / 1e6
    cmds = commands(OUT / "zh-web-full.yaml")
    med = {name: {k: statistics.median(r.get(k, 0.0) for r in runs) for k in ("wall", "cpu", "peak", "peak_pss", "load")}
           for name, runs in results.items() if runs}
    n = len(next(iter(results.values()))) if results else 0
    emit(f"Input: {len(docs):,} documents, {mb:.2f} MB of text (UTF-8), {len(INPUTS)} files. Medians of {n} "
         f"alternating round(s); load = 1-minute load average at each start (2 cores). "
         f"datatrove {versions.get('datatrove')}, Data-Juicer {versions.get('data-juicer')}; "
         f"taosha-full adds to zh-web: {', '.join(added) or 'nothing (zh-web has every step)'}.")
    emit("")
    emit("| run | wall s | CPU s | MB/s per core (wall) | MB/s per CPU-s | x taosha-full (CPU) | x floor (wall) "
         "| x floor (CPU) | peak MiB (RSS) | peak MiB (PSS) | load |")
    emit("|---|---|---|---|---|---|---|---|---|---|---|")
    ref = med.get("taosha-full", {}).get("cpu")
    floor = med.get("floor", {}).get("wall")
    floor_cpu = med.get("floor", {}).get("cpu")
    for name, m in med.items():
        workers = cmds[name][1]
        rel = f"{m['cpu'] / ref:.1f}" if ref else "-"
        fl = f"{m['wall'] / floor:.1f}" if floor else "-"
        fl_cpu = f"{m['cpu'] / floor_cpu:.1f}" if floor_cpu else "-"
        emit(f"| {name} | {m['wall']:.2f} | {m['cpu']:.2f} | {mb / m['wall'] / workers:.2f} | {mb / m['cpu']:.2f} | "
             f"{rel} | {fl} | {fl_cpu} | {m['peak']:.0f} | {m['peak_pss']:.0f} | {m['load']:.1f} |")
    if "taosha-full" in med and "taosha-full-w2" in med:
        emit("")
        emit(f"2 workers / 1 worker (wall): {med['taosha-full']['wall'] / med['taosha-full-w2']['wall']:.2f}x")

    # per-step seconds
    stats_path = OUT / "out-taosha-full" / "stats.json"
    if stats_path.exists():
        stats = json.loads(stats_path.read_text())
        emit("")
        emit(f"taosha-full per-step seconds (last round, OUT/stats.json; run total {stats.get('seconds', 0):.2f} s): "
             + ", ".join(f"{k} {v.get('seconds', 0):.2f}" for k, v in stats["steps"].items()))
    dt = dt_step_seconds()
    if dt:
        emit("")
        emit("datatrove per-step seconds (last round, its logs/*/stats.json): "
             + ", ".join(f"{k} {v:.2f}" for k, v in dt))
    dj = dj_op_counts()
    if dj:
        emit("")
        emit("Data-Juicer per-operator removed / seconds (last round, its log): "
             + ", ".join(f"{op} {r:,} / {s:.1f}" for op, r, s in dj))

    # removed sets
    sets: dict[str, dict[str, str]] = {}
    for name in ("taosha-zh-web", "taosha-full", "datatrove", "data-juicer"):
        if name not in results:
            continue
        got = removals(name)
        if got is not None:
            sets[name] = got
    if "datatrove" in sets:
        sets["datatrove-no-c4"] = {k: v for k, v in sets["datatrove"].items() if not v.startswith("c4")}
    emit("")
    emit("Removed documents per run and by reason (last round):")
    emit("")
    for name, removed in sets.items():
        by = Counter(reason for reason in removed.values())
        emit(f"- {name}: {len(removed):,} of {len(docs):,} ({100 * len(removed) / len(docs):.1f}%): "
             + ", ".join(f"{r} {c:,}" for r, c in by.most_common(12)))
        by_source = Counter(docs[i][0] for i in removed if i in docs)
        emit("  by file: " + ", ".join(f"{s} {c:,}" for s, c in sorted(by_source.items())))
    names = list(sets)
    if len(names) > 1:
        emit("")
        emit("| A | B | removed by A | by B | by both | A only | B only | Jaccard |")
        emit("|---|---|---|---|---|---|---|---|")
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                sa, sb = set(sets[a]), set(sets[b])
                union = len(sa | sb)
                emit(f"| {a} | {b} | {len(sa):,} | {len(sb):,} | {len(sa & sb):,} | {len(sa - sb):,} | "
                     f"{len(sb - sa):,} | {len(sa & sb) / union if union else 1:.2f} |")
    rng = random.Random(0)
    pairs = [("taosha-full", "datatrove-no-c4"), ("taosha-full", "data-juicer")]
    for a, b in pairs:
        if a not in sets or b not in sets:
            continue
        for x, y in ((a, b), (b, a)):
            only = sorted(set(sets[x]) - set(sets[y]))
            if not only:
                continue
            emit("")
            emit(f"Removed by {x}, kept by {y} ({len(only):,}; {min(samples, len(only))} at random):")
            emit("")
            for doc_id in rng.sample(only, min(samples, len(only))):
                source, text = docs[doc_id]
                emit(f"- `{doc_id}` ({source}, {len(text):,} chars) {x}: {sets[x][doc_id]}; "
                     f"{y} kept. 「{excerpt(text)}」")
    return "\n".join(lines)


def compile_bytecode() -> None:
    """Compile taosha's modules to bytecode, as ``pip install`` does for an installed package (and
    did for the peers' packages).  This machine sets PYTHONDONTWRITEBYTECODE=1, so an editable
    install would otherwise recompile every module on every run: 0.05-0.1 s of each taosha run."""
    import compileall

    compileall.compile_dir(str(Path(__file__).resolve().parents[2] / "src" / "taosha"), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated run names (default: all)")
    parser.add_argument("--samples", type=int, default=6, help="disagreements shown per direction")
    parser.add_argument("--report-only", action="store_true", help="re-analyse the last outputs (no timing)")
    parser.add_argument("--inputs", choices=("long", "all"), default="long",
                        help="long: the 6 files of INPUTS; all: every *.jsonl.gz in ../shared/data (a larger run "
                             "for worker scaling; outputs go to benchmarks/_work/compare-all)")
    args = parser.parse_args()
    if args.inputs == "all":
        global INPUTS, OUT
        INPUTS = tuple(sorted(p.name.removesuffix(".jsonl.gz") for p in DATA.glob("*.jsonl.gz")))
        OUT = WORK / "compare-all"
    versions = ensure_envs()
    compile_bytecode()
    full, added = full_recipe()
    names = list(commands(full))
    if not added:  # zh-web already has every step: the two runs would be the same
        names.remove("taosha-zh-web")
    if args.only:
        wanted = args.only.split(",")
        unknown = set(wanted) - set(names)
        if unknown:
            parser.error(f"unknown run(s) {sorted(unknown)}; choose from {names}")
        names = [n for n in names if n in wanted]
    results_path = OUT / "results.json"
    if args.report_only:
        results = json.loads(results_path.read_text())
    else:
        results = run_all(names, args.repeats, full)
        results_path.write_text(json.dumps(results, indent=1))
    text = report(results, versions, added, args.samples)
    (OUT / "report.md").write_text(text + "\n")
    print()
    print(text)


if __name__ == "__main__":
    main()
