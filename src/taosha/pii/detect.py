"""Find personal identifiers in Chinese text: regexes for the shape, validators for the rest.

:func:`find_pii` returns non-overlapping :class:`Match` es (type, offsets, normalized value).  Types:

=================  ====================================================================  =========
type               shape (separators ``-`` or space where shown)                         validated
=================  ====================================================================  =========
ID_CARD            18 chars (6-8-4 groups allowed) or the old 15 digits                  region, birth date, check char (18)
MOBILE             1[3-9]x xxxx xxxx, optional +86 / 0086 / (+86)                        assigned prefix
LANDLINE           010-12345678, (0755)1234567, 021-6438 1234, +86 10 12345678;          area code, local 7-8
                   unseparated 01062345678 only after a phone word (电话, 座机, Tel ...)  digits (not from 0;
                                                                                         not from 1 unseparated)
SERVICE_NUMBER     400/800 + 7 digits (3-3-4 or 3-4-3)                                    prefix
BANK_CARD          16-19 digits, plain or in groups of 4                                 issuer prefix, Luhn
CREDIT_CODE        18-char unified social credit code                                    registrar, region, GB 32100 check
EMAIL              local@domain.tld (ASCII)                                              TLD of letters
IPV4 / IPV6        dotted quad; colon-hex (compressed forms too)                         octet range; ``ipaddress``
PASSPORT           E12345678, EA1234567, C12345678 ... only after 护照 / passport / 通行证  context
QQ                 5-11 digits only after QQ / 扣扣 / QQ号 / QQ群                          context
WECHAT             6-20 char ID (or digits) only after 微信 / vx / V信 / wx / WeChat      context
LICENSE_PLATE      京A12345, 粤B·D12345 (new energy), 京A1234学                            >= 3 digits
=================  ====================================================================  =========

Precision rules shared by all types:

- a numeric match must not touch another ASCII letter or digit (``(?<![0-9A-Za-z])`` ...), so a
  mobile number is never cut out of a longer number, a hash or a product code;
- everything inside a URL (``http://``, ``www.``, ``host.tld/path``) is left alone: numbers in
  URLs are post ids, user ids and timestamps far more often than PII;
- a number right after an order / tracking / serial / ISBN / stock-code / version word (订单号,
  运单号, 编号, 序列号, ISBN, 股票代码, 版本 ...) is not PII unless a nearer identifying word
  (身份证, 卡号, 手机, 电话 ...) says otherwise; the window is :data:`CONTEXT_WINDOW` characters.

Overlaps are resolved longest first (an e-mail ``13812345678@163.com`` beats the mobile inside it),
then by the order of :data:`TYPES`.

Linear time: every pattern either has a bounded length or starts with a lookbehind that allows only
one start per run of the characters it repeats, so the work per input character is bounded (tested
on 1 MB adversarial inputs).  Cheap pre-checks (:func:`precheck`: four digits in a row, ``@``, a
dotted or colon number, a context word or a plate prefix) skip texts that cannot hold PII and
the detectors that cannot match.  The numeric and IP patterns do not scan whole texts: one scan
finds candidates (10+ digits joined by separators, 6 digits in a row, ``d.d.d.d``, two colons)
and the patterns run on small windows around them, which find exactly what a whole-text scan
finds (``tests/pii/test_scan_parity.py``; ``benchmarks/pii_parity.py`` on all real data).
Full-width digits, letters and ``＠－（）`` are folded before matching, one character for one,
so offsets stay those of the original text.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

from taosha.pii.validators import (
    area_code_ok,
    bank_card_ok,
    id15_ok,
    id18_ok,
    mobile_ok,
    uscc_ok,
)

TYPES: tuple[str, ...] = (
    "ID_CARD",
    "CREDIT_CODE",
    "BANK_CARD",
    "EMAIL",
    "MOBILE",
    "LANDLINE",
    "SERVICE_NUMBER",
    "PASSPORT",
    "QQ",
    "WECHAT",
    "IPV6",
    "IPV4",
    "LICENSE_PLATE",
)
"""Every type, most specific first: the order breaks ties between overlapping matches of equal
length."""

_PRIORITY = {t: i for i, t in enumerate(TYPES)}

CONTEXT_WINDOW = 12
"""Characters before a number searched for a negative or positive context word."""


@dataclass(frozen=True, slots=True)
class Match:
    """One identifier: ``text[start:end]`` of the original text, and its normalized ``value``
    (digits only for numbers, without country code; lower case for e-mails) used for pseudonyms."""

    type: str
    start: int
    end: int
    value: str


# Full-width forms folded one-for-one so that offsets do not move.
_FOLD = {0xFF10 + i: 0x30 + i for i in range(10)}
_FOLD.update({0xFF21 + i: 0x41 + i for i in range(26)})
_FOLD.update({0xFF41 + i: 0x61 + i for i in range(26)})
_FOLD.update({ord(a): ord(b) for a, b in zip("＠－‐‑–（）＋．\u3000\u00a0", "@----()+.  ", strict=True)})
_FOLD_CHARS = {chr(a): chr(b) for a, b in _FOLD.items()}
_NEEDS_FOLD = re.compile("[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a＠－‐‑–（）＋．\u3000\u00a0]")

_PROVINCE_CHARS = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"

# The pre-checks, one per family of detectors, on the text before folding.  Each starts with a
# single character class and checks the rest with lookarounds, which lets the regex engine skip
# ahead with its fast first-character scan (an alternation of words is 5x slower on Chinese text).
# Written "[0-9]" + "[0-9]{3}", not "[0-9]{4}": the engine takes the first-character fast scan only
# from a pattern that begins with a plain character class, not with a repeat (15 -> 9.5 ms).
_DIGITS_HINT = re.compile(r"[0-9\uff10-\uff19][0-9\uff10-\uff19]{3}")
# The three other families share one scan (three whole-text scans cost 3x one): a dotted or colon
# number ("3.5", "a:b", "::"), a plate prefix ("京A"), a context word ("QQ", "微信", "passport" ...).
# Each match is the one character where the family's hint starts, its first characters are
# disjoint, and the rest is lookahead, so the scan tries every start and hides none.  The
# alternatives are grouped by first character so that a common one ("新", "通", ".") fails fast.
_HINTS = re.compile(
    rf"[.:{_PROVINCE_CHARS}QqVvWwPpＱ护通扣企微威薇](?:"
    r"(?P<ip>(?<=[.:])(?:(?<=[0-9]\.)(?=[0-9])|(?<=[0-9A-Fa-f]:)(?=[0-9A-Fa-f:])|(?<=:)(?=:)))"
    rf"|(?P<plate>(?<=[{_PROVINCE_CHARS}])(?=[A-Z]))"
    r"|(?P<context>(?<=[Qq])(?=[Qq])"
    r"|(?<=[VvWw])(?:(?=[Xx])|(?<=[Vv])(?=信)|(?<=[Ww])(?=ei[Xx]in)|(?<=[Ww])(?=e[Cc]hat)|(?<=W)(?=ECHAT))"
    r"|(?<=[Pp])(?:(?=assport)|(?<=P)(?=ASSPORT))|(?<=Ｑ)(?=Ｑ)"
    r"|(?<=[护通扣企微威薇])(?:(?<=护)(?=照)|(?<=通)(?=行证)|(?<=扣)(?=扣)|(?<=企)(?=鹅号)|(?<=[微威薇])(?=信))))"
)


def _families(text: str) -> tuple[bool, bool, bool]:
    """Whether ``text`` holds an IP hint, a plate hint, a context-word hint."""
    first = _HINTS.search(text)  # most texts have none: no iterator, no loop (short Weibo texts)
    if first is None:
        return False, False, False
    ip = plate = context = False
    for m in _HINTS.finditer(text, first.start()):
        kind = m.lastgroup
        if kind == "ip":
            ip = True
        elif kind == "plate":
            plate = True
        else:
            context = True
        if ip and plate and context:
            break
    return ip, plate, context


def precheck(text: str) -> bool:
    """Whether ``text`` can contain anything :func:`find_pii` finds (four digits in a row, an
    ``@``, a dotted or colon number, a plate prefix or a context word).

    >>> precheck("今天天气很好，11月去了北京"), precheck("电话 138-1234-5678"), precheck("加微信 abc")
    (False, True, True)
    """
    return bool(_DIGITS_HINT.search(text) or "@" in text or "＠" in text or _HINTS.search(text))

_E = r"(?![0-9A-Za-z])"
_D = r"(?![0-9])"  # validated numbers may touch a letter after them: app blurbs glue "电话010-...E-mail"

# The numeric patterns begin with one character class and check what precedes it with a
# lookbehind placed *after* that first character (_B1, two characters wide): the regex engine can
# then jump from candidate to candidate with its fast first-character scan instead of testing a
# lookbehind at every position of the text (3x faster on Chinese text).
_B1 = r"(?<![0-9A-Za-z].)(?<![0-9]-.)"
_ID18 = re.compile(rf"(\d{_B1}\d{{5}})[- ]?(\d{{8}})[- ]?(\d{{3}}[0-9Xx]){_E}")
_ID15 = re.compile(rf"(\d{_B1}\d{{5}})[- ]?(\d{{6}})[- ]?(\d{{3}}){_E}")
_M1 = r"(?<![0-9+].)(?<![0-9]-.)"
_MOBILE = re.compile(
    rf"(?:[+0(8]{_M1}(?:(?<=\+) ?86[- ]?|(?<=0)086[- ]?|(?<=\()\+?86\) ?|(?<=8)6[- ])(1[3-9]\d)"  # +86, 0086, (+86), 86-
    rf"|(1{_M1}[3-9]\d))"
    rf"[- ]?(\d{{4}})[- ]?(\d{{4}}){_D}"
)
_AREA = r"(?:10|2\d|[3-9]\d\d)"
_LOCAL = r"([1-9]\d{2,3}[- ]?\d{4})"
_L1 = r"(?:(?<![0-9A-Za-z+-].)|(?<=[Tt][Ee][Ll].))"
_LANDLINE = re.compile(
    rf"(?:[+0]{_L1}(?:(?<=\+) ?|(?<=0)0)86[- ]?(?:\(0?({_AREA})\)|0?({_AREA}))[- ]?"  # +86 10 12345678, +86 (0)755 ...
    rf"|\({_L1}0({_AREA})\) ?"  # (0755)1234567
    rf"|0{_L1}({_AREA})[- ]"  # 021-6438 1234
    rf"|0{_L1}({_AREA})(?=[2-9]\d{{6,7}}{_D})"  # 01062345678: only with a phone word (checked below)
    rf"){_LOCAL}{_D}"
)
_SERVICE = re.compile(rf"([48]{_B1}00)[- ]?(\d{{3}}[- ]?\d{{4}}|\d{{4}}[- ]?\d{{3}}){_D}")
_BANK = re.compile(
    rf"(\d{_B1}(?:\d{{15,18}}|\d{{3}}(?:[- ]\d{{4}}){{3}}(?:[- ]\d{{1,3}})?|\d{{5}}[- ]\d{{10,13}}))(?![0-9Xx])"  # 17 digits + X is an ID
)
_USCC = re.compile(rf"([0-9A-HJ-NP-RTUW-Y]{_B1}[0-9A-HJ-NP-RTUW-Y]\d{{6}}[0-9A-HJ-NP-RTUW-Y]{{10}}){_E}")
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9_%+])[A-Za-z0-9_][A-Za-z0-9._%+-]{{0,63}}@{_LABEL}(?:\.{_LABEL}){{0,6}}\.[A-Za-z]{{2,24}}"
    r"(?![A-Za-z])"
)
_IPV4 = re.compile(r"\d(?<![0-9A-Za-z.]\d)\d{0,2}(?:\.\d{1,3}){3}(?![0-9]|\.\d)")  # octets checked in _ips
_IPV6 = re.compile(
    r"(?:(?<![0-9A-Za-z:])|(?<=[^0-9A-Fa-f:]:))[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.\d{1,3}\.\d{1,3}\.\d{1,3})?"
    r"(?![0-9A-Za-z:])"
)
_PLATE = re.compile(
    rf"[{_PROVINCE_CHARS}]([A-HJ-NP-Z])[·•・ ]?"
    r"([DF][A-HJ-NP-Z0-9]\d{4}|\d{5}[DF]|[A-HJ-NP-Z0-9]{4}[挂学警港澳]|[A-HJ-NP-Z0-9]{5})(?![0-9A-Za-z])"
)
_SEP = r"\s{0,2}[:：]?\s{0,2}"
# The context words below begin with one character class and check the rest after it (the same
# words, in the same order, as plain alternations): the regex engine then jumps between candidate
# first characters instead of trying every alternative at every position (4x faster).
_NO_LETTER_BEFORE = r"(?<![A-Za-z].)"  # after the first character: no letter before the word
_PASSPORT = re.compile(
    rf"[护通Pp](?:(?<=护)照|(?<=通)行证|{_NO_LETTER_BEFORE}(?:(?<=[Pp])assport|(?<=P)ASSPORT))"
    rf"(?:号码|号| ?No\.?| ?[Nn]umber)?{_SEP}"
    rf"([A-Za-z]{{1,2}}\d{{7,8}}){_E}"
)
_QQ = re.compile(
    rf"[Qq扣企](?:{_NO_LETTER_BEFORE}(?:(?<=Q)Q|(?<=q)q|(?<=Q)q)|(?<=扣)扣|(?<=企)鹅号)"
    rf"(?:号码|号|群号?)?{_SEP}([1-9]\d{{4,10}}){_D}"
)
_WECHAT = re.compile(
    r"[微威薇VvWw](?:(?<=[微威薇])信|(?<![A-Za-z].)"
    r"(?:(?<=[VvWw])[Xx]|(?<=[Vv])信|(?<=[Ww])ei[Xx]in|(?<=[Ww])e[Cc]hat|(?<=W)ECHAT))"
    r"(号码|号|ID|id)?\s{0,2}([:：])?\s{0,2}"
    r"([A-Za-z][-_A-Za-z0-9]{5,19}(?![-_A-Za-z0-9])|[1-9]\d{4,11}(?![0-9]))"
)
_TLDS = ("com", "net", "org", "cn", "edu", "gov", "info", "biz", "io", "me", "cc", "co", "hk", "tw")
_WECHAT_STOP = frozenset({"wechat", "weixin", "official", "moment", "moments", "iphone", "android"})

_URL = re.compile(
    r"(?:https?|ftp)://[!-~]+|(?<![A-Za-z0-9-])(?:www\.)?[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){0,5}"
    r"\.(?:com|cn|net|org|gov|edu|io|me|cc|tv|info|biz|hk|tw)(?::\d{1,5})?/[!-~]*"
)

_CONTEXT = re.compile(
    r"(?P<pos>身份证号码?|身份证编号|身份证|证件号码?|证件编号|卡号|银行卡|储蓄卡|信用卡|借记卡|账号|帐号|"
    r"手机|电话|联系|号码|热线|座机|传真|[Tt][Ee][Ll]|[Pp]hone|[Mm]obile|微信|QQ|qq|"
    r"统一社会信用代码|社会信用代码|信用代码|统一代码|纳税人识别号|税号)"
    r"|(?P<neg>订单(?:号码|编号|号)?|(?:运单|快递单?|物流单?|工单|交易|合同|发票|票据|保单|挂号信)(?:号码|编号|号|代码)|"
    r"单号码?|编号|流水号|批号|批次|序列号|[Ss]/?[Nn]|ISBN|isbn|ISSN|条码|条形码|股票代码|股票|代码|证券|备案号?|ICP|"
    r"型号|版本号?|[Vv]ersion|[Vv]er\.?|IMEI|imei|MEID|uid|UID|[Uu]ser ?[Ii][Dd]|用户ID|用户id|用户名)"
)
NEG_REACH = 2
"""A negative word counts only when it ends at most this many characters before the number
(``订单号：``, ``ISBN ``): an order word further back is usually about something else."""
_IP_WORD = re.compile(r"(?<![A-Za-z])(?:IP|[Ii]p)(?![A-Za-z])|地址|服务器|主机|网关|DNS|dns|[Hh]ost|[Ss]erver|代理|节点|登录|访问")
_NOT_IP_AFTER = re.compile(r"\s?(?:版|元|%|％|倍|[Vv]ersion)")
_PHONE_WORD = re.compile(
    r"电话|座机|热线|传真|[Tt][Ee][Ll]|[Pp]hone|联系|总机|办公室|客服|专线|致电|拨打|咨询|号码|售后"
)


def _context(text: str, start: int) -> str:
    """``"pos"``, ``"neg"`` or ``""``: the nearest context word in the window before ``start``."""
    kind = ""
    lo = max(0, start - CONTEXT_WINDOW)
    stop = _SENTENCE_END.search(text[lo:start][::-1])
    if stop is not None:  # a word in the previous sentence is not about this number
        lo = start - stop.start()
    for m in _CONTEXT.finditer(text, lo, start):
        kind = m.lastgroup or ""
        if kind == "neg" and m.end() < start - NEG_REACH:
            kind = ""
    return kind


_SENTENCE_END = re.compile(r"[。！？!?；;\n]")
_UNIT_AFTER = re.compile(
    r"\s?(?:元|块钱|万|亿|美元|港元|港币|欧元|英镑|日元|%|％|‰|倍|股|吨|公斤|千克|公里|平方|亩|kg|km)"
)
"""A number followed by a unit is an amount or a quantity, not an identifier."""


def _plain_number(text: str, start: int, end: int) -> bool:
    """Not PII-shaped in context: a negative word just before, or a unit just after."""
    return _context(text, start) == "neg" or _UNIT_AFTER.match(text, end) is not None


def _digits(s: str) -> str:
    return "".join(c for c in s if c.isdigit())


Emit = Callable[[str, int, int, str], None]
Windows = list[tuple[int, int]]
"""``(pos, endpos)`` slices of the text, in order and apart, that hold every match a detector can
make: the detector's regex runs on them instead of the whole text (see :func:`_number_windows`)."""

# Every match of the ID, card, mobile, landline and 400/800 patterns holds at least 10 digits
# (``\d``) joined by at most two of ``-() +`` (``+86 (0755) 1234567``), starts at most 2 characters
# before its first digit (``(+86)``) and ends at most 1 after its last (the ``X`` of an ID).  A
# credit code holds 6 digits in a row.  One scan finds both kinds of candidate: a run of 10+
# digits joined by up to 3 separators (tried only where a digit run starts, so it is linear), or
# else 6 digits in a row (a longer run gives one per 6 digits, so every 6-digit stretch of it starts
# inside one).  Most texts have none, and the seven numeric patterns then
# never scan them; before, each scanned the whole text, stopping at every digit (0.21 s of the
# 0.37 s on the long set).  The scan runs before folding (most texts then need no fold): ``\d``
# takes full-width digits too, and the separators include the forms that fold into ``-() +``.
_NUMBER_CANDIDATE = re.compile(r"\d(?:(?<!\d.)(?:[-() +－‐‑–（）＋\u3000\u00a0]{0,3}\d){9,}|\d{5})")
_MARGIN = 8
"""Characters added on each side of a candidate: more than the 2 before / 1 after a match can
reach, plus the characters a lookahead reads after it, so a window scan sees what a whole-text
scan saw (lookbehinds read before ``pos`` anyway)."""
_USCC_REACH = 20
"""A credit code ends at most 15 characters after the 6-digit candidate its digits start in (its
digits begin at most 5 into the candidate and are characters 3-8 of 18)."""


def _merge(windows: Windows, lo: int, hi: int) -> None:
    # Overlapping windows are joined: a scan that restarted inside a match would find another one.
    if windows and lo <= windows[-1][1]:
        windows[-1] = (windows[-1][0], hi)
    else:
        windows.append((lo, hi))


def _number_windows(text: str) -> tuple[Windows, Windows]:
    """The windows of the phone/ID/card patterns and those of the credit-code pattern."""
    numbers: Windows = []
    codes: Windows = []
    n = len(text)
    for m in _NUMBER_CANDIDATE.finditer(text):
        start, end = m.span()
        lo = max(0, start - _MARGIN)
        if end - start >= 10:  # a joined run (the other branch is 6 digits)
            _merge(numbers, lo, min(n, end + _MARGIN))
        _merge(codes, lo, min(n, end + _USCC_REACH + _MARGIN))
    return numbers, codes


def _ids(text: str, windows: Windows, emit: Emit) -> None:
    for lo, hi in windows:
        for m in _ID18.finditer(text, lo, hi):
            value = (m.group(1) + m.group(2) + m.group(3)).upper()
            if id18_ok(value) and not _plain_number(text, m.start(), m.end()):
                emit("ID_CARD", m.start(), m.end(), value)
    for lo, hi in windows:
        for m in _ID15.finditer(text, lo, hi):
            value = m.group(1) + m.group(2) + m.group(3)
            if id15_ok(value) and not _plain_number(text, m.start(), m.end()):
                emit("ID_CARD", m.start(), m.end(), value)


def _cards(text: str, windows: Windows, emit: Emit) -> None:
    for m in (m for lo, hi in windows for m in _BANK.finditer(text, lo, hi)):
        raw = m.group(1)
        value = _digits(raw)
        end = m.end()
        if not bank_card_ok(value) and len(value) > 16 and not raw.isdigit():
            # "6222 0212 3456 7890 12" may be a 16-digit card followed by another number
            value, end = value[:16], m.start() + 19
        if bank_card_ok(value) and not _plain_number(text, m.start(), end):
            emit("BANK_CARD", m.start(), end, value)


def _credit_codes(text: str, windows: Windows, emit: Emit) -> None:
    for m in (m for lo, hi in windows for m in _USCC.finditer(text, lo, hi)):
        value = m.group(1)
        if not uscc_ok(value):
            continue
        # A code with 17 digits (institutions with a numeric organization code) looks like an
        # order or ID number and passes the MOD 31 check 1 time in 31: it needs its name before it.
        if value[:17].isdigit() and _context(text, m.start()) != "pos":
            continue
        emit("CREDIT_CODE", m.start(), m.end(), value)


def _phones(text: str, windows: Windows, emit: Emit) -> None:
    for m in (m for lo, hi in windows for m in _MOBILE.finditer(text, lo, hi)):
        value = (m.group(1) or m.group(2)) + m.group(3) + m.group(4)
        if mobile_ok(value) and not _plain_number(text, m.start(), m.end()):
            emit("MOBILE", m.start(), m.end(), value)
    for m in (m for lo, hi in windows for m in _LANDLINE.finditer(text, lo, hi)):
        area = next(g for g in m.groups()[:5] if g is not None)
        if not area_code_ok("0" + area):
            continue
        if _plain_number(text, m.start(), m.end()):
            continue
        if m.group(5) is not None and not _PHONE_WORD.search(text, max(0, m.start() - CONTEXT_WINDOW), m.start()):
            continue  # a bare 0 + 10-11 digits is too often a serial number
        emit("LANDLINE", m.start(), m.end(), "0" + area + _digits(m.group(6)))
    for m in (m for lo, hi in windows for m in _SERVICE.finditer(text, lo, hi)):
        if not _plain_number(text, m.start(), m.end()):
            emit("SERVICE_NUMBER", m.start(), m.end(), m.group(1) + _digits(m.group(2)))


def _email(text: str, emit: Emit) -> None:
    for m in _EMAIL.finditer(text):
        address = m.group()
        tld = address[address.rfind(".") + 1:]
        if not (tld.islower() or tld.isupper()):
            # glued text: "2219949974@qq.comUI显示" -> cut after the known TLD
            known = next((t for t in _TLDS if tld.lower().startswith(t)), None)
            if known is None:
                continue
            address = address[: len(address) - len(tld) + len(known)]
        emit("EMAIL", m.start(), m.start() + len(address), address.lower())


# An IPv4 match holds "d.d.d.d": its first dot starts a candidate, or lies inside the one before
# (a literal first character: the scan is fast); the match starts at most 3 characters before its
# first dot, ends at most 12 after it, and the lookahead reads 2 more.  An IPv6 match holds two
# colons at most 4 hex digits apart, starts at most 4 characters before them and is at most 51
# long.  _ips then runs _IPV4 and _IPV6 on these windows only: _IPV6 may start at any character
# (its first group can be empty) and cost 0.02 s on the long set over whole texts.
_IPV4_CANDIDATE = re.compile(r"\.(?<=\d\.)\d{1,3}\.\d{1,3}\.\d")
_IPV6_CANDIDATE = re.compile(r":[0-9A-Fa-f]{0,4}:")


def _windows(candidate: re.Pattern[str], text: str, after: int) -> Windows:
    """The merged windows ``[start - _MARGIN, end + after)`` of the candidate's matches."""
    windows: Windows = []
    n = len(text)
    for m in candidate.finditer(text):
        start, end = m.span()
        _merge(windows, max(0, start - _MARGIN), min(n, end + after))
    return windows


def _ips(text: str, emit: Emit) -> None:
    for m in (m for lo, hi in _windows(_IPV4_CANDIDATE, text, 16) for m in _IPV4.finditer(text, lo, hi)):
        # Dotted quads of small numbers are far more often versions, prices, dental formulas and
        # EC numbers ("1.8.8.8", "3.1.4.2") than addresses: without an IP word nearby, ask for
        # at least 6 digits (192.168.1.1 has 8, 10.10.0.1 has 6) and no version/price word after.
        if not all(len(o) == 1 or (o[0] != "0" and int(o) <= 255) for o in m.group().split(".")):
            continue
        if _context(text, m.start()) == "neg":
            continue
        if _NOT_IP_AFTER.match(text, m.end()):
            continue
        if sum(c.isdigit() for c in m.group()) < 6 and not _IP_WORD.search(
            text, max(0, m.start() - CONTEXT_WINDOW), m.start()
        ):
            continue
        emit("IPV4", m.start(), m.end(), m.group())
    if ":" in text:
        for m in (m for lo, hi in _windows(_IPV6_CANDIDATE, text, 56) for m in _IPV6.finditer(text, lo, hi)):
            raw = m.group()
            groups = [g for g in raw.split(":") if g]
            if len(groups) < 2 or not any(c.isdigit() for c in raw):
                continue
            try:
                address = ipaddress.IPv6Address(raw)
            except ValueError:
                continue
            emit("IPV6", m.start(), m.end(), address.compressed)


def _plates(text: str, emit: Emit) -> None:
    for m in _PLATE.finditer(text):
        tail = m.group(2)
        if sum(c.isdigit() for c in tail) >= 3:
            emit("LICENSE_PLATE", m.start(), m.end(), m.group()[0] + m.group(1) + tail)


def _contextual(text: str, emit: Emit) -> None:
    for m in _PASSPORT.finditer(text):
        emit("PASSPORT", m.start(1), m.end(1), m.group(1).upper())
    for m in _QQ.finditer(text):
        emit("QQ", m.start(1), m.end(1), m.group(1))
    for m in _WECHAT.finditer(text):
        if m.start() > 0 and text[m.start() - 1] == "@":
            continue  # "@Wx yo_OFhm": a Weibo handle that begins with a context word
        value = m.group(3)
        if value.isdigit():
            emit("MOBILE" if mobile_ok(value) else "WECHAT", m.start(3), m.end(3), value)
            continue
        explicit = m.group(1) is not None or m.group(2) is not None
        if value.lower() in _WECHAT_STOP:
            continue
        if not explicit and not any(c.isdigit() or c in "-_" for c in value):
            continue
        emit("WECHAT", m.start(3), m.end(3), value)


def fold(text: str) -> str:
    """Full-width digits, letters and ``＠－（）＋．`` to ASCII, one character for one.

    >>> fold("电话：１３８－１２３４－５６７８（手机）")
    '电话：138-1234-5678(手机)'
    """
    # One str.replace per distinct character present, not str.translate: translate looks every
    # character up in a dict (25 ns each), and nearly every Chinese text has a foldable "（" or a
    # no-break space; the texts hold 1-3 distinct ones (0.10 s -> 0.01 s on the long set).
    m = _NEEDS_FOLD.search(text)
    while m is not None:
        text = text.replace(m.group(), _FOLD_CHARS[m.group()])
        m = _NEEDS_FOLD.search(text, m.start() + 1)  # everything before is folded now
    return text


def find_pii(text: str) -> list[Match]:
    """Every identifier in ``text``, sorted by offset, without overlaps.

    >>> [(m.type, m.value) for m in find_pii("张三 身份证11010519491231002X，手机 +86 138-1234-5678")]
    [('ID_CARD', '11010519491231002X'), ('MOBILE', '13812345678')]
    >>> find_pii("订单号：13812345678，2022年11月9日 12:30，价格 1,234,567 元，ISBN 978-7-111-12345-6")
    []
    """
    numbers: Windows = []
    codes: Windows = []
    if _DIGITS_HINT.search(text) is not None:
        numbers, codes = _number_windows(text)
    at = "@" in text or "＠" in text
    ip, plate, context = _families(text)
    if not (numbers or codes or at or ip or plate or context):
        return []
    text = fold(text)
    found: list[Match] = []

    def emit(kind: str, start: int, end: int, value: str) -> None:
        found.append(Match(kind, start, end, value))

    if numbers:
        _ids(text, numbers, emit)
        _cards(text, numbers, emit)
    if codes:
        _credit_codes(text, codes, emit)
    if numbers:
        _phones(text, numbers, emit)
    if at:
        _email(text, emit)
    if ip:
        _ips(text, emit)
    if plate:
        _plates(text, emit)
    if context:
        _contextual(text, emit)
    if not found:
        return []
    return _resolve(found, _url_spans(text))


def _url_spans(text: str) -> list[tuple[int, int]]:
    if "/" not in text:
        return []
    return [m.span() for m in _URL.finditer(text)]


def _resolve(found: list[Match], urls: list[tuple[int, int]]) -> list[Match]:
    """Drop matches inside URLs, then keep the longest of overlapping matches."""
    if urls:
        starts = [s for s, _ in urls]

        def in_url(m: Match) -> bool:
            i = bisect.bisect_right(starts, m.start) - 1
            return i >= 0 and urls[i][1] > m.start

        found = [m for m in found if not in_url(m)]
    if len(found) < 2:
        return found
    found.sort(key=lambda m: (m.start - m.end, _PRIORITY[m.type], m.start))
    # Occupied characters in a bytearray: every check and mark costs the match's length, so a text
    # with 10^5 matches stays linear (sorted-list inserts would be quadratic).
    taken = bytearray(max(m.end for m in found))
    chosen: list[Match] = []
    for m in found:
        if taken.find(1, m.start, m.end) != -1:
            continue
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
        chosen.append(m)
    chosen.sort(key=lambda m: m.start)
    return chosen
