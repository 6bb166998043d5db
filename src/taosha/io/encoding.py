"""Decoding crawled pages whose declared charset is wrong or missing, Chinese codecs first.

A page's bytes come with up to two claims about their charset, the HTTP ``Content-Type`` header and
a ``<meta charset>`` in the page, and on Chinese sites both are often wrong (a server default of
``iso-8859-1`` or ``utf-8`` in front of GBK bytes, ``gb2312`` declared for GBK text) or absent.
:func:`decode_html` decides in this order:

1. a byte-order mark;
2. pure ASCII;
3. strict UTF-8: if the bytes decode as UTF-8 and hold anything beyond ASCII, they are UTF-8 whatever
   was declared (GBK or Big5 text of more than a few characters is practically never valid UTF-8,
   while UTF-8 text often *is* valid GBK, so the declaration is the weaker evidence);
4. the declared charsets (header, then meta) and then GB18030 and Big5-HKSCS, each decoded strictly
   and scored by :func:`common_han_share`: the share of Han characters that are among the ~6,700 in
   everyday use (GB2312 level 1 plus Big5 level 1, built from the codecs themselves), scaled down
   when too few are among the ~200 most frequent ones.  Correctly
   decoded Chinese scores above 0.9; Big5 read as GBK, or GBK read as Big5, scores lower (0.3-0.7 on
   real news), because the byte pairs land on rare characters.  A declared CJK charset that decodes
   is taken if it scores at least ``TRUSTED_SHARE`` (0.8) and no more than ``MARGIN`` (0.05) below
   the best Chinese reading; otherwise the best Chinese reading if it scores at least ``MIN_SHARE``
   (0.7); otherwise a declared non-Chinese charset that decodes (a Japanese or a European page);
5. charset-normalizer's guess, for pages in other scripts with no usable declaration;
6. the best candidate decoded with replacement characters, accepted when under ``MAX_REPLACED``
   (0.5%) of the characters are replaced (a page cut off in the middle of a character, a few stray
   bytes); otherwise :class:`DecodeFailure` with reason ``undecodable``.

GBK, GB2312 and CP936 are decoded as GB18030, their superset; Big5 as Big5-HKSCS, then CP950.
Candidates are chosen on the first ``SNIFF_BYTES`` (64 KiB) of the page; the chosen codec then
decodes the whole page.  The thresholds come from the fixtures of ``tests/io/test_html.py`` and
``benchmarks/extraction.py`` and of real news text: correct decodings score 0.9-1.0, crossed ones
at most 0.7, and the choice compares readings rather than trusting one score.

Text that still holds mojibake after this (a page that was already double-encoded when it was
published) is left to the normalization step.
"""

from __future__ import annotations

import codecs
import functools
import re
from dataclasses import dataclass

SNIFF_BYTES = 64 << 10
TRUSTED_SHARE = 0.8
MIN_SHARE = 0.7
MARGIN = 0.05
MAX_REPLACED = 0.005
MIN_HAN = 8
"""Fewer Han characters than this and the common-Han share says nothing; decodability decides."""

_CJK_CODECS = {"gb18030", "big5hkscs", "cp950", "euc_jp", "shift_jis", "cp932", "euc_kr", "cp949", "iso2022_jp"}
_CHINESE = ("gb18030", "big5hkscs", "cp950")
_ALIASES = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030", "gb_2312-80": "gb18030",
    "gb_2312": "gb18030", "euc-cn": "gb18030", "hz-gb-2312": "hz", "csgb2312": "gb18030", "ms936": "gb18030",
    "windows-936": "gb18030", "gb18030": "gb18030",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "csbig5": "big5hkscs", "cp950": "cp950", "windows-950": "cp950",
    # What browsers do (WHATWG Encoding): these labels all mean windows-1252.
    "iso-8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
    "utf8": "utf-8", "unicode-1-1-utf-8": "utf-8",
}
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.IGNORECASE
)
_HAN = re.compile(r"[\u4e00-\u9fff]")
# Neither ASCII, Latin-1, general or CJK punctuation, full-width forms, nor Han: kana, Hangul,
# box drawing, Cyrillic, Greek, private use ...
_OTHER = re.compile(r"[^\x00-\xff\u2000-\u206f\u3000-\u303f\uff00-\uffef\u4e00-\u9fff\ufffd]")


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str
    """The Python codec that decoded the page."""
    source: str
    """Why that codec: ``bom``, ``ascii``, ``utf-8``, ``http``, ``meta``, ``guess`` (the Chinese
    candidates), ``detector`` (charset-normalizer) or ``lenient`` (decoded with replacements)."""
    replaced: int = 0
    """Replacement characters this decoding inserted."""


class DecodeFailure(ValueError):
    """The bytes fit no charset well enough; ``reason`` is the quarantine reason code."""

    def __init__(self, message: str, reason: str = "undecodable"):
        super().__init__(message)
        self.reason = reason


def normalize_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, mapped to its superset; ``None`` if unknown.

    >>> normalize_charset("GB2312"), normalize_charset(" big5 "), normalize_charset("ISO-8859-1")
    ('gb18030', 'big5hkscs', 'cp1252')
    >>> normalize_charset("no-such-charset") is None
    True
    """
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    name = _ALIASES.get(key, key)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def charset_from_content_type(value: str | None) -> str | None:
    """The ``charset`` parameter of a ``Content-Type`` header value.

    >>> charset_from_content_type('text/html; charset="GBK"')
    'GBK'
    >>> charset_from_content_type("text/html") is None
    True
    """
    if not value:
        return None
    for part in value.split(";")[1:]:
        key, _, val = part.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            return val.strip().strip("\"'")
    return None


def meta_charset(data: bytes) -> str | None:
    """The charset a page declares in ``<meta charset>`` or ``http-equiv`` within its first 4 KiB.

    >>> meta_charset(b'<head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">')
    'gb2312'
    """
    match = _META_CHARSET.search(data[:4096])
    return match.group(1).decode("ascii") if match else None


@functools.lru_cache(maxsize=1)
def common_han() -> frozenset[str]:
    """The Han characters in everyday use: GB2312 level 1 (3,755) and Big5 level 1 (5,401).

    Built from Python's own codecs, so no table ships with taosha.

    >>> len(common_han()), "的" in common_han(), "們" in common_han(), "鍠" in common_han()
    (6722, True, True, False)
    """
    chars: set[str] = set()
    for b1 in range(0xB0, 0xD8):
        for b2 in range(0xA1, 0xFF):
            chars.update(bytes((b1, b2)).decode("gb2312", errors="ignore"))
    for b1 in range(0xA4, 0xC7):
        for b2 in (*range(0x40, 0x7F), *range(0xA1, 0xFF)):
            if b1 == 0xC6 and b2 > 0x7E:
                break
            chars.update(bytes((b1, b2)).decode("big5", errors="ignore"))
    return frozenset(c for c in chars if _HAN.match(c))


# About 200 of the most frequent Chinese characters (function words, pronouns, numerals, everyday
# verbs), with their traditional forms; written for taosha from general knowledge of the language.
FREQUENT_HAN = frozenset(
    "的一是不了人我在有他这這中大来來上国國个個到说說们們为為子和你地出道也时時年得就那要下以生会會"
    "自着著去之过過家学學对對可她里裡后後小么麼心多天而能好都然没沒日于於起还還发發成事只作当當想看"
    "文无無开開手十用主行方又如前所本见見经經头頭面公同三已老从從动動两兩长長知民样樣现現分将將外但"
    "身些与與高意进進把法此实實回二理美点點月明其种種声聲全工己话話儿兒者向情部正名定女问問力机機"
    "给給等几幾很业業最间間新"
)
FREQUENT_FLOOR = 0.15
"""Real Chinese has 17% or more of its Han characters among :data:`FREQUENT_HAN` in 99% of 80-character
snippets of ../shared/data (median 40%); crossed decodings and Korean or Japanese read as GBK have
0-9%.  A reading below this share has its score scaled down in proportion."""


def common_han_share(text: str) -> tuple[float, int]:
    """``(score, number of Han characters)``: how much ``text`` reads like real Chinese, 0 to 1.

    The score is the share of Han characters in everyday use over all Han *and other non-Latin,
    non-punctuation* characters (a crossed decoding also produces kana, box-drawing pieces and
    Cyrillic where a Chinese page has none), scaled down when fewer than ``FREQUENT_FLOOR`` of the
    Han characters are among the most frequent ones (EUC-KR Korean read as GBK gives common but
    never frequent characters).  The frequency check needs 20 Han characters to mean anything.

    >>> common_han_share("中文网页的编码，“引号”与全角（括号）是常见的写法，我们在这里看到了。")[0]
    1.0
    >>> mojibake = "本市地铁六号线今天上午正式开通运营".encode("gbk").decode("big5hkscs")  # GBK read as Big5
    >>> mojibake, round(common_han_share(mojibake)[0], 2)
    ('掛庈華沺鞠瘍盄踏毞奻敁淏宒羲籵堍茠', 0.35)
    >>> mojibake = "民間資金持續拉動溫州房價".encode("big5").decode("gb18030")  # Big5 read as GBK
    >>> mojibake[:3], round(common_han_share(mojibake)[0], 2)
    ('チ丁戈', 0.5)
    >>> korean = "서울시는 오늘 새로운 지하철 노선의 운행을 시작했다고 밝혔습니다. 시민들은 출퇴근이 편리해졌다고 말했습니다."
    >>> round(common_han_share(korean.encode("euc_kr").decode("gb18030"))[0], 2)
    0.0
    """
    han = _HAN.findall(text)
    if not han:
        return 0.0, 0
    common = common_han()
    other = len(_OTHER.findall(text))
    score = sum(1 for c in han if c in common) / (len(han) + other)
    if len(han) >= 20:
        frequent = sum(1 for c in han if c in FREQUENT_HAN) / len(han)
        score *= min(1.0, frequent / FREQUENT_FLOOR)
    return score, len(han)


def _try(data: bytes, codec: str, final: bool) -> str | None:
    try:
        return codecs.getincrementaldecoder(codec)("strict").decode(data, final=final)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(data: bytes, http_charset: str | None = None) -> Decoded:
    """Decode a page's bytes; ``http_charset`` is the charset of its HTTP header, if any.

    >>> page = "<html><meta charset=utf-8><p>繁體中文網頁的編碼常常寫錯</p>".encode("big5")
    >>> d = decode_html(page, "utf-8")
    >>> d.text[-20:], d.encoding, d.source
    ('<p>繁體中文網頁的編碼常常寫錯</p>', 'big5hkscs', 'guess')
    """
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            text = data.decode(codec, errors="replace")
            return Decoded(text, codec, "bom", text.count("\ufffd"))
    if data.isascii():
        return Decoded(data.decode("ascii"), "ascii", "ascii")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", "utf-8")
    except UnicodeDecodeError as exc:
        utf8_error = exc
    head = data[:SNIFF_BYTES]
    final = len(data) <= SNIFF_BYTES
    declared: list[tuple[str, str]] = []
    for source, label in (("http", http_charset), ("meta", meta_charset(data))):
        named = normalize_charset(label)
        if named and named != "utf-8" and all(named != c for c, _ in declared):
            declared.append((named, source))
    scored: dict[str, tuple[float, int]] = {}
    for codec in [c for c, _ in declared] + [c for c in _CHINESE if c not in {d for d, _ in declared}]:
        reading = _try(head, codec, final)
        if reading is not None:
            scored[codec] = common_han_share(reading)

    def chosen(codec: str, source: str) -> Decoded:
        return _decode_whole(data, codec, source)

    chinese = [(share, c) for c, (share, n) in scored.items() if c in _CHINESE and n >= MIN_HAN]
    best_share, best_codec = max(chinese, key=lambda x: (x[0], -_CHINESE.index(x[1])), default=(0.0, ""))
    for codec, source in declared:
        if codec in scored and codec in _CJK_CODECS:
            share, n_han = scored[codec]
            # A declaration is believed unless another reading is clearly more like real Chinese.
            if n_han < MIN_HAN or (share >= TRUSTED_SHARE and share >= best_share - MARGIN):
                return chosen(codec, source)
    if best_share >= MIN_SHARE:
        return chosen(best_codec, dict(declared).get(best_codec, "guess"))
    for codec, source in declared:
        if codec in scored and codec not in _CHINESE:
            return chosen(codec, source)
    detected = _detector_guess(head)
    if detected is not None:
        reading = _try(head, detected, final)
        if reading is not None and (detected not in _CHINESE or common_han_share(reading)[0] >= MIN_SHARE):
            return chosen(detected, "detector")
    # Nothing decodes cleanly: the candidate with the fewest replacements, if they are few.
    best: Decoded | None = None
    for codec in dict.fromkeys(["utf-8", *(c for c, _ in declared), *_CHINESE]):
        text = data.decode(codec, errors="replace")
        replaced = text.count("\ufffd")
        if best is None or replaced < best.replaced:
            best = Decoded(text, codec, "lenient", replaced)
    assert best is not None
    if best.replaced <= MAX_REPLACED * max(1, len(best.text)):
        return best
    raise DecodeFailure(
        f"no charset fits: {best.replaced} of {len(best.text)} characters would be replaced even as "
        f"{best.encoding} (declared: {http_charset or '-'} / {meta_charset(data) or '-'}; utf-8: {utf8_error.reason})"
    )


def _decode_whole(data: bytes, codec: str, source: str) -> Decoded:
    try:
        return Decoded(data.decode(codec), codec, source)
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        replaced = text.count("\ufffd")
        if replaced > MAX_REPLACED * max(1, len(text)):
            raise DecodeFailure(
                f"bytes past the first {SNIFF_BYTES} are not {codec}: {replaced} of {len(text)} characters replaced"
            ) from None
        return Decoded(text, codec, source, replaced)


def _detector_guess(data: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - installed with the warc extra
        return None
    best = from_bytes(data).best()
    if best is None:
        return None
    return normalize_charset(best.encoding)
