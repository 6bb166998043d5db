"""find_pii's shortcuts change nothing: windowed scans, the merged pre-check, fold, rewritten words.

find_pii runs its numeric and IP patterns only on small windows around candidates found by one
scan, checks three families of hints in one scan, folds by ``str.replace`` and writes its context
words as a character class plus lookarounds.  Each shortcut is compared here with the plain form it
replaces, on real text (a sample of ../shared/data) and on generated text that plants every type
next to its look-alikes.  ``benchmarks/pii_parity.py`` does the same against the previous
implementation on every record of the 16 files.
"""

from __future__ import annotations

import random
import re

import pytest
from conftest import load_records

import taosha.pii.detect as detect
from taosha.pii.detect import TYPES, find_pii
from taosha.pii.validators import id_check_char, luhn_digit, uscc_check_char


def _generated_pieces() -> tuple[str, ...]:
    rng = random.Random(5)

    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    ids, cards, codes = [], [], []
    for _ in range(6):
        body = f"{rng.choice(['11', '31', '44', '62'])}0{rng.randint(1, 9)}0{rng.randint(1, 9)}" \
               f"{rng.randint(1940, 2010)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{digits(3)}"
        ids.append(body + id_check_char(body))
        partial = rng.choice(["62", "4", "9558"]) + digits(rng.choice([13, 14, 16]))
        cards.append(partial + luhn_digit(partial))
        head = rng.choice(["91", "52", "12"]) + rng.choice(["11", "44", "35"]) + digits(4)
        code = head + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
        codes.append(code + uscc_check_char(code))
    card = cards[0]
    return (
        # identifiers, also grouped, full-width and with prefixes
        *ids, ids[0][:6] + " " + ids[0][6:14] + " " + ids[0][14:], ids[1][:15], *cards,
        " ".join(card[i:i + 4] for i in range(0, len(card), 4)), *codes, "13812345678", "138-1234-5678",
        "+86 138 1234 5678", "0086-13912345678", "(+86)19912345678", "１３８１２３４５６７８", "010-62345678",
        "(0755)1234567", "（0755）1234567", "+86-(0755)-1234567", "021-6438 1234", "01062345678", "400-123-4567",
        "800 1234 567", "ab.cd@qq.com", "ｚｈａｎｇ＠１６３．ｃｏｍ", "192.168.1.10", "10.10.0.1", "fe80::1ff:fe23:4567:890a",
        "2001:db8::8a2e:370:7334", "::ffff:1.2.3.4", "京A12345", "粤B·D12345", "沪A1234学", "E12345678", "wxid_abc123",
        # look-alikes: dates, amounts, order numbers, wrong checks, other digits, glued letters
        "2022-11-09", "20221109", "12:30:45", "1,234,567", "3.1.4.2", "1.2.", "v2.3.1", ids[0][:17] + "0",
        card[:-1] + str((int(card[-1]) + 1) % 10), "138****5678", "١٣٨١٢٣٤٥٦٧٨", "٠٢٣", "12345", "123456", "1234567",
        "978-7-111-12345-6", "abc", "X", "x", "A", "ff", "E", "Tel", "tel:", "http://", "www.", "x.com/", "@",
        # context words, separators, Chinese
        "电话", "手机", "身份证", "卡号", "订单号", "编号", "ISBN", "信用代码", "QQ", "qq", "Ｑq", "ＱＱ", "扣扣", "微信", "vx", "Wx",
        "WeChat", "护照", "Passport", "Ｐassport", "通行证", "IP", "地址", "元", "万", "-", " ", "  ", "    ", "(", ")",
        "+", "+86", "－", "（", "）", "\u3000", "\u00a0", "–", ".", ":", "::", "．", "：", "的", "，", "。", "\n", "年",
    )


PIECES = _generated_pieces()


def generated_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(PIECES) for _ in range(rng.randint(1, 20))) for _ in range(n)]


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    # Weibo posts with real phone numbers, app blurbs with QQ / e-mails / hotlines, news, web pages
    names = ("weibo_ced_posts.jsonl.gz", "fewclue_mixed.jsonl.gz", "news_thucnews_sample.jsonl.gz",
             "web_cluecorpussmall_sample.jsonl.gz", "weibo_checked_posts.jsonl.gz")
    return [r["text"] for name in names for r in load_records(name, 1500)]


@pytest.fixture(scope="module")
def fuzz_texts() -> list[str]:
    return generated_texts(15_000, seed=11)


def whole_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make find_pii scan whole texts: one window from 0 to the end for every detector."""

    def all_of(text: str) -> list[tuple[int, int]]:
        return [(0, len(text))]

    monkeypatch.setattr(detect, "_number_windows", lambda text: (all_of(text), all_of(text)))
    monkeypatch.setattr(detect, "_windows", lambda candidate, text, after: all_of(text))


def detections(texts: list[str]) -> list[list[tuple[str, int, int, str]]]:
    return [[(m.type, m.start, m.end, m.value) for m in find_pii(t)] for t in texts]


@pytest.mark.parametrize("source", ["real_texts", "fuzz_texts"])
def test_windows_find_what_whole_text_scans_find(source, request, monkeypatch):
    texts = request.getfixturevalue(source)
    windowed = detections(texts)
    with monkeypatch.context() as m:
        whole_text(m)
        scanned = detections(texts)
    assert windowed == scanned
    found = {kind for doc in windowed for kind, *_ in doc}
    # the comparison must have had something to compare: each text source finds real identifiers
    if source == "fuzz_texts":
        assert found == set(TYPES)
    else:
        assert {"MOBILE", "QQ", "EMAIL", "LANDLINE", "SERVICE_NUMBER"} <= found


def test_the_window_margins_are_needed():
    # Guard against a comparison that cannot fail: scanning only the candidates' own spans (no
    # margin) cuts the "(+86)" and "+86-(" prefixes off, and the landline is not found at all.
    text = "电话 (+86)13812345678，或 +86-(0755)-1234567"
    assert [(m.type, text[m.start:m.end]) for m in find_pii(text)] == [
        ("MOBILE", "(+86)13812345678"), ("LANDLINE", "+86-(0755)-1234567")]
    bare = [m.span() for m in detect._NUMBER_CANDIDATE.finditer(text) if len(m.group()) >= 10]
    assert [m.group() for lo, hi in bare for m in detect._MOBILE.finditer(text, lo, hi)] == ["13812345678"]
    assert [m.group() for lo, hi in bare for m in detect._LANDLINE.finditer(text, lo, hi)] == []


# The three hints the merged pre-check replaces, as they were written before (one scan each).
OLD_IP_HINT = re.compile(r"[0-9A-Fa-f:](?:(?<=[0-9])\.[0-9]|(?<=[0-9A-Fa-f]):[0-9A-Fa-f:]|(?<=:):)")
OLD_PLATE_HINT = re.compile(rf"[{detect._PROVINCE_CHARS}][A-Z]")
OLD_CONTEXT_HINT = re.compile(
    r"[QqVvWwPpＱ护通扣企微威薇](?:(?<=[Qq])[Qq]|(?<=[VvWw])[Xx]|(?<=[Vv])信|(?<=[Ww])ei[Xx]in|"
    r"(?<=[Ww])e[Cc]hat|(?<=W)ECHAT|(?<=[Pp])assport|(?<=P)ASSPORT|(?<=Ｑ)Ｑ|(?<=护)照|(?<=通)行证|"
    r"(?<=扣)扣|(?<=企)鹅号|(?<=[微威薇])信)"
)


@pytest.mark.parametrize("source", ["real_texts", "fuzz_texts"])
def test_one_hint_scan_answers_as_the_three_did(source, request):
    texts = request.getfixturevalue(source)
    for text in texts:
        old = tuple(p.search(text) is not None for p in (OLD_IP_HINT, OLD_PLATE_HINT, OLD_CONTEXT_HINT))
        assert detect._families(text) == old, text
    # a hint hidden behind another family's match would be lost: "京QQ" is a plate and a QQ word
    assert detect._families("京QQ号12345") == (False, True, True)
    assert detect._families("1.5::") == (True, False, False)


@pytest.mark.parametrize("source", ["real_texts", "fuzz_texts"])
def test_fold_is_the_translate_table(source, request):
    for text in request.getfixturevalue(source):
        assert detect.fold(text) == text.translate(detect._FOLD)
    every = "".join(map(chr, detect._FOLD))
    assert detect.fold(every * 3) == every.translate(detect._FOLD) * 3


# The context-word patterns as plain alternations (how they were written before).
_SEP = detect._SEP
OLD_CONTEXTUAL = {
    "_PASSPORT": re.compile(
        rf"(?:护照|通行证|(?<![A-Za-z])(?:[Pp]assport|PASSPORT))(?:号码|号| ?No\.?| ?[Nn]umber)?{_SEP}"
        rf"([A-Za-z]{{1,2}}\d{{7,8}})(?![0-9A-Za-z])"
    ),
    "_QQ": re.compile(rf"(?:(?<![A-Za-z])(?:QQ|qq|Qq)|扣扣|企鹅号)(?:号码|号|群号?)?{_SEP}([1-9]\d{{4,10}})(?![0-9])"),
    "_WECHAT": re.compile(
        r"(?:微信|威信|薇信|(?<![A-Za-z])(?:[VvWw][Xx]|[Vv]信|[Ww]ei[Xx]in|[Ww]e[Cc]hat|WECHAT))"
        r"(号码|号|ID|id)?\s{0,2}([:：])?\s{0,2}"
        r"([A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])|[1-9]\d{4,11}(?![0-9]))"
    ),
}


@pytest.mark.parametrize("name", list(OLD_CONTEXTUAL))
def test_context_word_patterns_match_as_the_alternations_did(name, fuzz_texts, real_texts):
    words = ["护照", "通行证", "passport", "Passport", "PASSPORT", "aPassport", "QQ", "qq", "Qq", "qQ", "xQQ", "扣扣",
             "企鹅号", "微信", "威信", "薇信", "vx", "VX", "wX", "V信", "v信", "weixin", "WeiXin", "wechat", "WeChat",
             "WECHAT", "aWx", "号码", "号", "群", "ID", "：", ":", " ", "No.", " number"]
    rng = random.Random(3)
    values = ["E12345678", "EA1234567", "c12345678", "12345678", "0123456", "wxid_abc123", "abc_def12", "abcdefg",
              "13812345678", "的", "，", "a", "X", "-"]
    texts = ["".join(rng.choice(words + values) for _ in range(rng.randint(1, 10))) for _ in range(20_000)]
    texts += [detect.fold(t) for t in fuzz_texts + real_texts]
    new, old = getattr(detect, name), OLD_CONTEXTUAL[name]
    hits = 0
    for text in texts:
        got = [(m.span(), m.groups()) for m in new.finditer(text)]
        assert got == [(m.span(), m.groups()) for m in old.finditer(text)], text
        hits += len(got)
    assert hits > 200
