"""Parity of ``find_pii`` with a reference version of ``src/taosha/pii/detect.py``, and their speed.

    .venv/bin/python benchmarks/pii_parity.py                    # reference: REF below
    .venv/bin/python benchmarks/pii_parity.py --ref HEAD --fuzz 50000

The reference module is read with ``git show REF:src/taosha/pii/detect.py``, written to a
temporary file and imported under another name (it imports the same ``taosha.pii.validators``).
The default ``REF`` is the last commit whose detectors scanned whole texts (before the
single-scan windows of issue 10), so this checks that the faster detection changed nothing.

Compared, document by document, on every record of all 16 files of ../shared/data (``text`` and,
in the pairs file, ``text_pair``):

- ``find_pii``: the list of detections (type, start, end, value);
- ``precheck`` and ``fold``.

Then the same on generated texts: ``--fuzz`` random strings written to sit on the edges the
windows and the merged pre-check must respect (digit runs joined by ``-() +`` and their full-width
forms, ``+86``/``(0755)`` prefixes, ``X`` endings, Arabic-Indic and full-width digits, dotted and
colon numbers, plate prefixes, context words, letters glued on either side, URLs), and the
planted identifiers and look-alike negatives of ``benchmarks/pii_eval.py``.

Prints the counts and every difference (none expected), then ``find_pii``'s CPU seconds for both
versions over the real texts (median of ``--repeats``, measured side by side).
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

import taosha.pii.detect as new

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
REF = "2f99ba1"
"""The commit before the single-scan windows (find_pii at 11 M characters/s on the long set)."""


def load_reference(ref: str):
    source = subprocess.run(
        ["git", "show", f"{ref}:src/taosha/pii/detect.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="pii-ref-")) / "pii_detect_ref.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("pii_detect_ref", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pii_detect_ref"] = module  # dataclasses look the module up while building Match
    spec.loader.exec_module(module)
    return module


def real_texts() -> list[tuple[str, str]]:
    out = []
    for path in sorted(DATA.glob("*.jsonl.gz")):
        with gzip.open(path, "rb") as fh:
            for line in fh:
                record = orjson.loads(line)
                out.append((f"{path.name}:{record['id']}", record["text"]))
                if isinstance(record.get("text_pair"), str):
                    out.append((f"{path.name}:{record['id']}:pair", record["text_pair"]))
    return out


_PIECES = (
    # digits and joined runs
    "0", "1", "8", "86", "138", "1381234", "5678", "0755", "010", "400", "800", "62220212", "3456",
    "11010519491231002", "110105194912310021", "11010819491231002X", "6225880123456783",
    "91350100M000100Y43", "9144030071526726XG", "91440300715267260X", "4111111111111111",
    "91350100MA2YQ8XK4N", "91110108MA01H7J3U0", "5211000050000119X8", "1234567",
    "(0755)", "+86-(", ")-", ") ", " (", "+ 86", "-(0", "(+", "86-", "０８６", "٢٣٤٥٦٧٨",
    "١٢٣", "٠", "１３８", "０７５５", "１２３４５６７８",
    # separators, raw and full-width
    "-", " ", "  ", "   ", "    ", "(", ")", "+", "+86", "(+86)", "0086", "－", "（", "）", "＋", "\u3000", "\u00a0",
    "–", "‐", ".", ":", "::", "．", "：",
    # letters, words, context
    "X", "x", "a", "A", "E", "ff", "Tel", "tel:", "电话", "手机", "身份证", "卡号", "订单号", "编号", "ISBN",
    "信用代码", "元", "万", "QQ", "qq", "Ｑq", "ＱＱ", "扣扣", "微信", "vx", "Wx", "WeChat", "wechat", "护照", "Passport",
    "Ｐassport", "通行证", "京A", "粤B", "沪", "@", "＠", "ab@qq.com", "www.", "http://", "x.com/", "IP", "地址",
    # dotted and colon numbers
    "192.168.1.1", "10.10.0.1", "3.1.4.2", "1.2.", "255.255", "fe80::1", "2001:db8::8a2e:370:7334", "12:30",
    "::ffff:1.2.3.4", "a:b:c:d:e:f",
    # Chinese text
    "的", "，", "。", "；", "\n", "年", "月", "今天", "联系",
)


def fuzz_texts(n: int, seed: int) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        k = rng.randint(1, 24)
        out.append((f"fuzz:{i}", "".join(rng.choice(_PIECES) for _ in range(k))))
    return out


def planted_texts(n: int, seed: int) -> list[tuple[str, str]]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import pii_eval  # type: ignore[import-not-found]

    rng = random.Random(seed)
    bases, _ = pii_eval.base_sentences(rng, 2000)
    items = [(gen, templates) for gen, templates in pii_eval.POSITIVES.values()]
    items += [(gen, ["{}"]) for gen in pii_eval.NEGATIVES.values()]
    out = []
    for i in range(n):
        gen, templates = rng.choice(items)
        text, _, _ = pii_eval.plant(rng, rng.choice(bases), rng.choice(templates).format(gen(rng)))
        out.append((f"planted:{i}", text))
    return out


def compare(ref, texts: list[tuple[str, str]], label: str) -> int:
    differences = 0
    detections = 0
    for name, text in texts:
        old = [(m.type, m.start, m.end, m.value) for m in ref.find_pii(text)]
        got = [(m.type, m.start, m.end, m.value) for m in new.find_pii(text)]
        detections += len(got)
        problems = []
        if old != got:
            problems.append(f"find_pii: reference {old} new {got}")
        if ref.precheck(text) != new.precheck(text):
            problems.append(f"precheck: reference {ref.precheck(text)} new {new.precheck(text)}")
        if ref.fold(text) != new.fold(text):
            problems.append("fold differs")
        if problems:
            differences += 1
            if differences <= 20:
                print(f"  DIFF {name}: {text[:200]!r}")
                for p in problems:
                    print(f"    {p}")
    print(f"{label}: {len(texts):,} texts, {detections:,} detections, {differences} differing texts")
    return differences


def cpu_seconds(find, texts: list[str]) -> float:
    start = time.process_time()
    for text in texts:
        find(text)
    return time.process_time() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ref", default=REF, help=f"git revision of the reference detect.py (default {REF})")
    ap.add_argument("--fuzz", type=int, default=200_000, help="generated edge-case texts")
    ap.add_argument("--planted", type=int, default=50_000, help="texts with one planted identifier or negative")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    ref = load_reference(args.ref)
    real = real_texts()
    bad = compare(ref, real, "real data (16 files)")
    bad += compare(ref, fuzz_texts(args.fuzz, args.seed), "fuzz")
    bad += compare(ref, planted_texts(args.planted, args.seed), "planted (pii_eval generators)")
    texts = [t for _, t in real]
    chars = sum(map(len, texts))
    old_s, new_s = [], []
    for _ in range(args.repeats):
        old_s.append(cpu_seconds(ref.find_pii, texts))
        new_s.append(cpu_seconds(new.find_pii, texts))
    o, n = statistics.median(old_s), statistics.median(new_s)
    print(f"find_pii CPU s over the real texts ({chars:,} characters), median of {args.repeats}: "
          f"reference {o:.2f} ({chars / o / 1e6:.1f} M chars/s), new {n:.2f} ({chars / n / 1e6:.1f} M chars/s), "
          f"{o / n:.1f}x")
    print("PARITY OK" if bad == 0 else f"PARITY FAILED: {bad} differing texts")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
