"""Recall and precision of taosha's PII detection, per type, on generated PII planted into real text.

    .venv/bin/python benchmarks/pii_eval.py                # n=1000 per type and per negative kind
    .venv/bin/python benchmarks/pii_eval.py --n 3000 --seed 11 --json /tmp/pii.json

1. Base sentences: real sentences (8-120 characters) from news, Weibo, reviews, web crawl and
   Wikipedia files of ../shared/data in which the detector finds nothing (the others are counted
   and reported, see 3).
2. Planting: each document is one base sentence with one generated item inserted at a random
   point that does not touch an ASCII letter or digit of the base: either a valid identifier of a
   type, in every format the detector claims (plain, grouped, +86, full-width ...), with or
   without a context phrase; or a look-alike negative (dates, times, amounts, order numbers,
   ISBNs, stock codes, version strings, 11-digit non-mobiles, numbers in URLs, IDs and cards with a
   wrong check digit, masked numbers ...).
   A planted identifier is found when a detection of the same type covers all of it.  Precision of
   a type is found identifiers over all detections of that type (a detection of the wrong type,
   on a negative, or anywhere else in the document is a false positive).
3. Real data: what the detector finds in every file of ../shared/data (counts per type), every
   real mobile number of weibo_ced_posts (found / candidates) and the person spans of
   weibo_ner_spans (names are not a target: we report how many a detection touches).
4. Speed: find_pii throughput (CPU seconds) over the real files, and the share of texts the
   pre-check skips.

Nothing here is written to the repository; generated identifiers are random and pass their checks.
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import random
import re
import statistics
import string
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from taosha.pii.detect import TYPES, find_pii, precheck
from taosha.pii.validators import (
    PROVINCES,
    USCC_ALPHABET,
    USCC_REGISTRARS,
    id_check_char,
    luhn_digit,
    mobile_ok,
    uscc_check_char,
)

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
BASE_FILES = (
    "news_thucnews_sample.jsonl.gz",
    "weibo_ced_posts.jsonl.gz",
    "weibo_smp2020_ewect.jsonl.gz",
    "reviews_sophonplus.jsonl.gz",
    "web_cluecorpussmall_sample.jsonl.gz",
    "wiki_cmrc2018_contexts.jsonl.gz",
)
MAINLAND = sorted(p for p in PROVINCES if p not in ("71", "81", "82", "83"))
MOBILE_PREFIXES = ["130", "131", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152", "155", "157",
                   "158", "159", "162", "166", "170", "173", "176", "177", "178", "180", "181", "183", "185", "186",
                   "187", "188", "189", "191", "193", "195", "198", "199"]
AREA_CODES = ["010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0311", "0351", "0371",
              "0431", "0451", "0471", "0531", "0551", "0571", "0591", "0731", "0755", "0757", "0769", "0851",
              "0871", "0898", "0931", "0991"]
FW = str.maketrans("0123456789@-.", "０１２３４５６７８９＠－．")


def records(name: str, limit: int | None = None):
    with gzip.open(DATA / name, "rb") as fh:
        for i, line in enumerate(fh):
            if limit is not None and i >= limit:
                return
            yield orjson.loads(line)


# --- generators of valid identifiers (value, formatted) --------------------------------------


def digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def gen_id(rng: random.Random) -> str:
    region = rng.choice(MAINLAND) + f"{rng.randint(1, 20):02d}" + f"{rng.randint(1, 30):02d}"
    year = rng.randint(1940, 2012)
    body = region + f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + digits(rng, 3)
    value = body + id_check_char(body)
    form = rng.randrange(5)
    if form == 0:
        return f"{value[:6]} {value[6:14]} {value[14:]}"
    if form == 1:
        return value.translate(FW)
    if form == 2:  # first-generation 15 digits: born 19YY
        yy = rng.randint(40, 84)
        return region + f"{yy:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}" + digits(rng, 3)
    if form == 3 and value[-1] != "X":
        body = body[:-1] + str((int(body[-1]) + 1) % 10)  # make some end in X
        value = body + id_check_char(body)
    return value.lower() if rng.random() < 0.1 else value


def gen_mobile(rng: random.Random) -> str:
    value = rng.choice(MOBILE_PREFIXES) + digits(rng, 8)
    a, b, c = value[:3], value[3:7], value[7:]
    return rng.choice([
        value, value, f"{a}-{b}-{c}", f"{a} {b} {c}", f"+86 {a} {b} {c}", f"+86{value}", f"0086-{value}",
        f"(+86){value}", f"+86-{a}-{b}-{c}", value.translate(FW),
    ])


def gen_landline(rng: random.Random) -> str:
    area = rng.choice(AREA_CODES)
    local = str(rng.randint(2, 8)) + digits(rng, 7 if len(area) == 3 else rng.choice((6, 7)))
    split = f"{local[:-4]} {local[-4:]}"  # 6438 1234 or 643 8123
    return rng.choice([
        f"{area}-{local}", f"({area}){local}", f"（{area}）{local}", f"{area}-{split}",
        f"+86 {area[1:]} {local}", f"+86-{area[1:]}-{local}", f"{area} {local}",
    ])


def gen_service(rng: random.Random) -> str:
    p = rng.choice(("400", "800"))
    r = digits(rng, 7)
    return rng.choice([f"{p}-{r[:3]}-{r[3:]}", f"{p} {r[:3]} {r[3:]}", f"{p}{r}", f"{p}-{r[:4]}-{r[4:]}"])


def gen_card(rng: random.Random) -> str:
    kind = rng.randrange(5)
    if kind == 0:
        partial = "62" + digits(rng, 13)
    elif kind == 1:
        partial = "62" + digits(rng, 16)
    elif kind == 2:
        partial = "4" + digits(rng, 14)
    elif kind == 3:
        partial = str(rng.randint(51, 55)) + digits(rng, 13)
    else:
        partial = "9558" + digits(rng, 14)
    value = partial + luhn_digit(partial)
    if rng.random() < 0.4:
        return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    if rng.random() < 0.2:
        return "-".join(value[i:i + 4] for i in range(0, len(value), 4)) if len(value) == 16 else value
    return value


def gen_uscc(rng: random.Random) -> str:
    region = rng.choice(MAINLAND) + f"{rng.randint(1, 20):02d}" + f"{rng.randint(0, 30):02d}"
    org = "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
    body = rng.choice(sorted(USCC_REGISTRARS)) + rng.choice("1239") + region + org
    return body + uscc_check_char(body)


def gen_email(rng: random.Random) -> str:
    local = rng.choice(string.ascii_lowercase) + "".join(
        rng.choice(string.ascii_lowercase + string.digits + "._") for _ in range(rng.randint(2, 12))
    )
    local = local.rstrip("._") or "x"
    if rng.random() < 0.2:
        local = str(rng.randint(10000, 9999999999))
    domain = rng.choice(["qq.com", "163.com", "126.com", "sina.com", "gmail.com", "foxmail.com", "sohu.com",
                         "example.com.cn", "mail.tsinghua.edu.cn", "outlook.com"])
    value = f"{local}@{domain}"
    return value.upper() if rng.random() < 0.05 else value


def gen_ipv4(rng: random.Random) -> str:
    while True:
        octets = [rng.randint(1, 223), rng.randint(0, 255), rng.randint(0, 255), rng.randint(1, 254)]
        value = ".".join(map(str, octets))
        if sum(c.isdigit() for c in value) >= 6:
            return value


def gen_ipv6(rng: random.Random) -> str:
    groups = [f"{rng.randint(0, 0xFFFF):x}" for _ in range(8)]
    groups[0] = rng.choice(["2001", "2408", "240e", "fe80", "2409"])
    if rng.random() < 0.5:
        i = rng.randint(1, 5)
        return ":".join(groups[:i]) + "::" + ":".join(groups[i + 2:])
    return ":".join(groups)


def gen_passport(rng: random.Random) -> str:
    return rng.choice(["E" + digits(rng, 8), "E" + rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + digits(rng, 7),
                       "G" + digits(rng, 8), "C" + digits(rng, 8)])


def gen_qq(rng: random.Random) -> str:
    return str(rng.randint(10000, 3999999999))


def gen_wechat(rng: random.Random) -> str:
    if rng.random() < 0.2:
        return str(rng.randint(10000, 3999999999))
    first = rng.choice(string.ascii_letters)
    rest = "".join(rng.choice(string.ascii_lowercase + string.digits + "_-") for _ in range(rng.randint(5, 14)))
    if not any(c.isdigit() or c in "_-" for c in rest):
        rest += str(rng.randint(1, 99))
    return first + rest


def gen_plate(rng: random.Random) -> str:
    prov = rng.choice("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
    letter = rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ")
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    kind = rng.randrange(5)
    if kind == 0:
        tail = digits(rng, 5)
    elif kind == 1:
        tail = rng.choice(letters) + digits(rng, 4)
    elif kind == 2:
        tail = rng.choice("DF") + rng.choice(letters + "0123456789") + digits(rng, 4)
    elif kind == 3:
        tail = digits(rng, 5) + rng.choice("DF")
    else:
        tail = digits(rng, 4) + rng.choice("学警挂")
    sep = rng.choice(["", "", "·", " "])
    return prov + letter + sep + tail


# type -> (generator, templates); "{}" is the identifier, the rest is context written around it
POSITIVES: dict[str, tuple[Callable[[random.Random], str], list[str]]] = {
    "ID_CARD": (gen_id, ["身份证号：{}", "身份证{}", "{}", "证件号码 {}", "，{}，"]),
    "MOBILE": (gen_mobile, ["联系电话：{}", "手机{}", "{}", "请拨打{}", "（{}）", "爸爸的号码是{}"]),
    "LANDLINE": (gen_landline, ["电话：{}", "{}", "咨询热线{}", "座机 {}", "传真：{}"]),
    "SERVICE_NUMBER": (gen_service, ["客服热线：{}", "{}", "请致电{}"]),
    "BANK_CARD": (gen_card, ["卡号：{}", "银行卡号{}", "{}", "请汇款至{}"]),
    "CREDIT_CODE": (gen_uscc, ["统一社会信用代码：{}", "信用代码{}", "{}"]),
    "EMAIL": (gen_email, ["邮箱：{}", "{}", "请发邮件至{}", "E-mail：{}"]),
    "IPV4": (gen_ipv4, ["IP地址：{}", "{}", "服务器 {}", "来自{}"]),
    "IPV6": (gen_ipv6, ["IPv6 地址 {}", "{}", "访问 {}"]),
    "PASSPORT": (gen_passport, ["护照号码：{}", "护照号 {}", "护照{}", "通行证号码：{}", "passport No. {}"]),
    "QQ": (gen_qq, ["QQ：{}", "QQ号{}", "扣扣 {}", "加QQ群{}", "qq:{}"]),
    "WECHAT": (gen_wechat, ["微信：{}", "微信号 {}", "vx：{}", "V信{}", "加我微信 {}", "wx: {}"]),
    "LICENSE_PLATE": (gen_plate, ["车牌号{}", "{}", "一辆{}的白色轿车", "车牌为“{}”"]),
}


def isbn13(rng: random.Random) -> str:
    body = "9787" + digits(rng, 8)
    check = (10 - sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(body)) % 10) % 10
    value = body + str(check)
    return rng.choice([value, f"{value[:3]}-{value[3]}-{value[4:7]}-{value[7:12]}-{value[12]}"])


def bad_id(rng: random.Random) -> str:
    value = gen_id(rng)
    while len(value) != 18 or not value[:17].isascii() or not value[:17].isdigit():
        value = gen_id(rng)
    wrong = "0123456789X".replace(value[-1].upper(), "")
    return value[:17] + rng.choice(wrong)


def bad_card(rng: random.Random) -> str:
    partial = "62" + digits(rng, 13)
    good = luhn_digit(partial)
    return partial + rng.choice([d for d in string.digits if d != good])


def non_mobile(rng: random.Random) -> str:
    while True:
        value = rng.choice(["10", "11", "12", "140", "141", "154", "160", "194"]) + digits(rng, 9)
        value = value[:11]
        if not mobile_ok(value):
            return value


NEGATIVES: dict[str, Callable[[random.Random], str]] = {
    "date": lambda r: r.choice([
        f"{r.randint(1990, 2030)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}",
        f"{r.randint(1990, 2030)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d}",
        f"{r.randint(1990, 2030)}年{r.randint(1, 12)}月{r.randint(1, 28)}日",
        f"{r.randint(1990, 2030)}.{r.randint(1, 12)}.{r.randint(1, 28)}",
    ]),
    "time": lambda r: r.choice([f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
                               f"{r.randint(2000, 2030)}-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {r.randint(0, 23):02d}:{r.randint(0, 59):02d}"]),
    "amount": lambda r: r.choice([f"{r.randint(1, 999)},{r.randint(0, 999):03d},{r.randint(0, 999):03d}元",
                                 f"¥{r.randint(1000000, 99999999)}.{r.randint(0, 99):02d}",
                                 f"{r.randint(10000000, 99999999999)}元"]),
    "order number": lambda r: r.choice(["订单号：", "订单编号", "运单号 ", "快递单号：", "交易号"]) + r.choice([
        r.choice(MOBILE_PREFIXES) + digits(r, 8), "2022" + digits(r, 14), gen_card(r).replace(" ", ""), digits(r, 16)]),
    "ISBN": lambda r: "ISBN " + isbn13(r),
    "stock code": lambda r: r.choice([f"({r.choice(['600', '601', '000', '002', '300'])}{digits(r, 3)})",
                                     f"{r.choice(['600', '000'])}{digits(r, 3)}.{r.choice(['SH', 'SZ'])}"]),
    "version": lambda r: r.choice([f"v{r.randint(1, 9)}.{r.randint(0, 20)}.{r.randint(0, 9)}.{r.randint(0, 300)}",
                                  f"版本 {r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 30)}",
                                  f"{r.randint(1, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}.{r.randint(0, 9)}版本"]),
    "11-digit non-mobile": non_mobile,
    "number in URL": lambda r: r.choice([f"https://weibo.com/{r.randint(1000000000, 7999999999)}/{gen_mobile(r).replace(' ', '')}",
                                        f"http://t.cn/{r.randint(10**10, 10**11)}",
                                        f"www.example.com/u/{r.choice(MOBILE_PREFIXES)}{digits(r, 8)}"]),
    "ID with bad check": bad_id,
    "card failing Luhn": bad_card,
    "masked mobile": lambda r: r.choice(MOBILE_PREFIXES) + "****" + digits(r, 4),
    "Weibo uid / long id": lambda r: r.choice(["uid:", "用户ID：", "编号"]) + str(r.randint(1000000000, 7999999999)),
    "mention / hashtag": lambda r: r.choice(["@张三", "//@李四:", "#话题#", "@user_2020"]),
}


# --- planting and scoring ------------------------------------------------------------------


def base_sentences(rng: random.Random, limit: int) -> tuple[list[str], int]:
    sentences: list[str] = []
    excluded = 0
    for name in BASE_FILES:
        for rec in records(name, 6000):
            for s in re.split(r"(?<=[。！？!?])|\n", rec["text"]):
                s = s.strip()
                if 8 <= len(s) <= 120 and sum("\u4e00" <= c <= "\u9fff" for c in s) * 2 >= len(s):
                    if find_pii(s):
                        excluded += 1
                    else:
                        sentences.append(s)
    rng.shuffle(sentences)
    return sentences[:limit], excluded


BOUNDARY = set("，。！？、；：,.!?;: （）()“”\"'《》【】[]~～…—")
UNITS = set("元块万亿%％‰倍股吨次")


def plant(rng: random.Random, base: str, item: str) -> tuple[str, int, int]:
    """Insert ``item`` into ``base``: half the time next to punctuation or at either end, half the
    time anywhere between two characters (glued to Chinese, as Weibo posts write numbers), but
    never touching an ASCII letter or digit of the base and never right before a unit character
    (``元 万 % 次``...), which would turn the planted number into an amount."""
    def free(i: int) -> bool:
        before = base[i - 1] if i > 0 else ""
        after = base[i] if i < len(base) else ""
        return not (before.isascii() and before.isalnum()) and not (after.isascii() and after.isalnum()) \
            and after not in UNITS
    cuts = [i for i in range(len(base) + 1) if free(i)]
    edges = [i for i in cuts if i in (0, len(base)) or base[i - 1] in BOUNDARY or base[i] in BOUNDARY]
    cut = rng.choice(edges if edges and rng.random() < 0.5 else cuts or [len(base)])
    return base[:cut] + item + base[cut:], cut, cut + len(item)


def evaluate(n: int, seed: int) -> dict:
    rng = random.Random(seed)
    bases, excluded = base_sentences(rng, 20000)
    tp = collections.Counter()
    fn = collections.Counter()
    predicted = collections.Counter()
    neg_hits = collections.Counter()
    misses: dict[str, list[str]] = collections.defaultdict(list)
    false_pos: dict[str, list[str]] = collections.defaultdict(list)
    for kind, (gen, templates) in POSITIVES.items():
        for i in range(n):
            value = gen(rng)
            template = templates[i % len(templates)]
            pre, _, post = template.partition("{}")
            text, s, e = plant(rng, rng.choice(bases), template.format(value))
            vs, ve = s + len(pre), e - len(post)
            found = False
            for m in find_pii(text):
                predicted[m.type] += 1
                if m.type == kind and m.start <= vs and m.end >= ve and not found:
                    found = True
                    tp[kind] += 1
                elif len(false_pos[m.type]) < 8:
                    false_pos[m.type].append(f"{text[m.start:m.end]!r} in {text!r}")
            if not found:
                fn[kind] += 1
                if len(misses[kind]) < 8:
                    misses[kind].append(text)
    for kind, gen in NEGATIVES.items():
        for _ in range(n):
            text, _, _ = plant(rng, rng.choice(bases), gen(rng))
            for m in find_pii(text):
                predicted[m.type] += 1
                neg_hits[kind] += 1
                if len(false_pos[m.type]) < 8:
                    false_pos[m.type].append(f"{text[m.start:m.end]!r} in {text!r} (negative: {kind})")
    per_type = {}
    for kind in TYPES:
        recall = tp[kind] / (tp[kind] + fn[kind]) if tp[kind] + fn[kind] else float("nan")
        precision = tp[kind] / predicted[kind] if predicted[kind] else float("nan")
        per_type[kind] = {"planted": tp[kind] + fn[kind], "found": tp[kind], "detections": predicted[kind],
                          "recall": round(recall, 4), "precision": round(precision, 4)}
    return {
        "n": n, "seed": seed, "base_sentences": len(bases), "base_sentences_excluded": excluded,
        "per_type": per_type, "negatives": {k: {"planted": n, "detections": neg_hits[k]} for k in NEGATIVES},
        "misses": dict(misses), "false_positives": dict(false_pos),
    }


# --- real data -----------------------------------------------------------------------------


def real_data() -> dict:
    counts: dict[str, collections.Counter] = {}
    for path in sorted(DATA.glob("*.jsonl.gz")):
        c = collections.Counter()
        for rec in records(path.name):
            for m in find_pii(rec["text"]):
                c[m.type] += 1
        counts[path.name] = c
    naive = re.compile(r"(?<!\d)1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
    candidates = found = 0
    numbers_all: set[str] = set()
    numbers_found: set[str] = set()
    missed: list[str] = []
    for rec in records("weibo_ced_posts.jsonl.gz"):
        text = rec["text"]
        hits = [m for m in find_pii(text) if m.type == "MOBILE"]
        for c in naive.finditer(text):
            value = re.sub(r"\D", "", c.group())
            if not mobile_ok(value):
                continue
            candidates += 1
            numbers_all.add(value)
            if any(m.start <= c.start() and m.end >= c.end() for m in hits):
                found += 1
                numbers_found.add(value)
            elif len(missed) < 20:
                missed.append(text[max(0, c.start() - 20):c.end() + 5])
    per_spans = touched = 0
    ner_detections = collections.Counter()
    for rec in records("weibo_ner_spans.jsonl.gz"):
        ms = find_pii(rec["text"])
        for m in ms:
            ner_detections[m.type] += 1
        for span in rec.get("label") or []:
            if span["type"].startswith("PER"):
                per_spans += 1
                if any(m.start < span["end"] and m.end > span["start"] for m in ms):
                    touched += 1
    return {
        "per_file": {k: dict(sorted(v.items())) for k, v in counts.items()},
        "weibo_ced_posts_mobiles": {"occurrences": candidates, "found": found, "distinct": len(numbers_all),
                                    "distinct_found": len(numbers_found), "missed": missed},
        "weibo_ner_spans": {"person_spans": per_spans, "touched_by_a_detection": touched,
                            "detections": dict(ner_detections)},
    }


def speed(repeats: int = 3) -> dict:
    texts = [rec["text"] for name in BASE_FILES + ("weibo_ced_reposts.jsonl.gz", "fewclue_mixed.jsonl.gz")
             for rec in records(name, 20000)]
    chars = sum(map(len, texts))
    skipped = sum(1 for t in texts if not precheck(t))
    # CPU time of this process (one thread), not wall time: the machine is shared
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        for t in texts:
            find_pii(t)
        runs.append(time.process_time() - start)
    baseline = []
    for _ in range(repeats):  # the cost of merely looking at every character once, for scale
        start = time.process_time()
        for t in texts:
            t.isascii()
            precheck(t)
        baseline.append(time.process_time() - start)
    med = statistics.median(runs)
    return {"texts": len(texts), "chars": chars, "precheck_skips": round(skipped / len(texts), 4),
            "median_seconds": round(med, 3), "mchars_per_second": round(chars / med / 1e6, 2),
            "precheck_only_seconds": round(statistics.median(baseline), 3)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000, help="planted items per type and per negative kind")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--json", type=Path, help="also write the full results here")
    ap.add_argument("--skip-real", action="store_true")
    args = ap.parse_args(argv)
    result = {"planted": evaluate(args.n, args.seed)}
    planted = result["planted"]
    print(f"## Planted PII (n={args.n} per type, seed {args.seed}; {planted['base_sentences']} base sentences, "
          f"{planted['base_sentences_excluded']} real sentences with detections excluded)\n")
    print("| type | planted | found | detections | recall | precision |")
    print("|---|---:|---:|---:|---:|---:|")
    ok = True
    for kind, row in planted["per_type"].items():
        ok &= row["recall"] >= 0.99 and row["precision"] >= 0.99
        print(f"| {kind} | {row['planted']} | {row['found']} | {row['detections']} | {row['recall']:.4f} | {row['precision']:.4f} |")
    print("\n| negative kind | planted | detections |")
    print("|---|---:|---:|")
    for kind, row in planted["negatives"].items():
        print(f"| {kind} | {row['planted']} | {row['detections']} |")
    for title, key in (("misses", "misses"), ("false positives", "false_positives")):
        items = planted[key]
        if items:
            print(f"\n### {title} (first few)")
            for kind, examples in items.items():
                for ex in examples[:4]:
                    print(f"- {kind}: {ex}")
    if not args.skip_real:
        result["real"] = real_data()
        real = result["real"]
        print("\n## Real data (../shared/data): detections per type\n")
        print("| file | " + " | ".join(TYPES) + " |")
        print("|---|" + "---:|" * len(TYPES))
        for name, c in real["per_file"].items():
            print(f"| {name} | " + " | ".join(str(c.get(t, 0)) for t in TYPES) + " |")
        mob = real["weibo_ced_posts_mobiles"]
        print(f"\nweibo_ced_posts: {mob['found']} of {mob['occurrences']} mobile-number occurrences redacted "
              f"({mob['distinct_found']} of {mob['distinct']} distinct numbers)")
        for ex in mob["missed"]:
            print(f"- missed: {ex!r}")
        ner = real["weibo_ner_spans"]
        print(f"weibo_ner_spans: {ner['touched_by_a_detection']} of {ner['person_spans']} person spans touched by a "
              f"detection; detections in the file: {ner['detections']}")
        result["speed"] = speed()
        sp = result["speed"]
        print(f"\n## Speed\n\nfind_pii over {sp['texts']} real texts ({sp['chars']} characters): median of 3 runs "
              f"{sp['median_seconds']} CPU s = {sp['mchars_per_second']} M characters/s; the pre-check alone "
              f"{sp['precheck_only_seconds']} s; {sp['precheck_skips']:.1%} of texts skipped by the pre-check")
    print(f"\ntargets (recall and precision >= 0.99 for every type): {'met' if ok else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
