"""Synthetic personal data that passes the checks a real detector uses.

Every value is drawn from a seeded ``random.Random``; none is a real person's.  A PII detector that
only matched shapes would also match garbage, so the demo plants numbers that are valid by the same
rules a careful detector applies:

- resident identity numbers (GB 11643-1999): a real county-level region prefix, a plausible birth
  date, a three-digit sequence and the ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``);
- mobile numbers: eleven digits with a prefix in current use by the three carriers, written in the
  formats seen on the web (plain, grouped 3-4-4 with spaces or dashes, with ``+86``);
- bank cards: UnionPay (prefix ``62``), 16 or 19 digits, last digit the Luhn check digit;
- e-mail addresses on the free-mail domains common in China and on company domains.

>>> id_check_char("11010519491231002")
'X'
>>> luhn_valid("6222021234567890126")
False
>>> luhn_valid(with_luhn_digit("622202123456789012"))
True
"""

from __future__ import annotations

import datetime as _dt
import random

# County-level codes of the GB/T 2260 administrative division table (public), with the place name so
# that an address sentence can agree with the identity number.
REGIONS: tuple[tuple[str, str], ...] = (
    ("110101", "北京市东城区"), ("110105", "北京市朝阳区"), ("110108", "北京市海淀区"),
    ("120101", "天津市和平区"), ("130102", "石家庄市长安区"), ("140105", "太原市小店区"),
    ("210102", "沈阳市和平区"), ("220102", "长春市南关区"), ("230103", "哈尔滨市南岗区"),
    ("310104", "上海市徐汇区"), ("310115", "上海市浦东新区"), ("320102", "南京市玄武区"),
    ("320505", "苏州市虎丘区"), ("330106", "杭州市西湖区"), ("330203", "宁波市海曙区"),
    ("340104", "合肥市蜀山区"), ("350203", "厦门市思明区"), ("360102", "南昌市东湖区"),
    ("370102", "济南市历下区"), ("370202", "青岛市市南区"), ("410105", "郑州市金水区"),
    ("420106", "武汉市武昌区"), ("430104", "长沙市岳麓区"), ("440106", "广州市天河区"),
    ("440305", "深圳市南山区"), ("450103", "南宁市青秀区"), ("500103", "重庆市渝中区"),
    ("510107", "成都市武侯区"), ("520102", "贵阳市南明区"), ("530102", "昆明市五华区"),
    ("610113", "西安市雁塔区"), ("620102", "兰州市城关区"), ("650102", "乌鲁木齐市天山区"),
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

# Prefixes allocated to China Mobile, China Unicom and China Telecom and in use today.
MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139",
    "145", "147", "150", "151", "152", "153", "155", "156", "157", "158", "159",
    "166", "173", "175", "176", "177", "178", "180", "181", "182", "183", "184",
    "185", "186", "187", "188", "189", "191", "193", "195", "198", "199",
)

# Six-digit issuer numbers of UnionPay debit cards of large banks (all start with 62).
CARD_BINS: tuple[tuple[str, str, int], ...] = (
    ("622202", "工商银行", 19), ("621226", "工商银行", 19), ("622848", "农业银行", 19),
    ("621700", "建设银行", 19), ("622700", "建设银行", 19), ("621661", "中国银行", 19),
    ("622588", "招商银行", 16), ("621483", "招商银行", 16), ("622262", "交通银行", 19),
    ("623058", "平安银行", 19), ("622908", "兴业银行", 19), ("621799", "邮储银行", 19),
)

FREE_MAIL = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "139.com", "sohu.com",
             "aliyun.com", "outlook.com", "gmail.com", "yeah.net")

# Pinyin syllables for e-mail local parts (surnames first, then given-name syllables).
_PY_SURNAMES = ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu",
                "sun", "ma", "zhu", "hu", "guo", "he", "lin", "luo", "zheng", "liang", "xie")
_PY_GIVEN = ("wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan",
             "jie", "juan", "tao", "ming", "chao", "xia", "ping", "gang", "hui", "ying", "hao", "yu",
             "xin", "bo", "lan", "ting", "peng", "hua", "dan", "kai", "rui", "xue", "long")


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits of an identity number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def luhn_valid(number: str) -> bool:
    """Whether a string of digits passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def with_luhn_digit(stem: str) -> str:
    """``stem`` followed by the digit that makes the whole number pass the Luhn check."""
    for d in "0123456789":
        if luhn_valid(stem + d):
            return stem + d
    raise AssertionError("unreachable: one digit always completes a Luhn number")


def id_number(rng: random.Random) -> tuple[str, str]:
    """An 18-character identity number and the place its region prefix names."""
    code, place = rng.choice(REGIONS)
    start = _dt.date(1955, 1, 1).toordinal()
    end = _dt.date(2004, 12, 31).toordinal()
    birth = _dt.date.fromordinal(rng.randint(start, end))
    first17 = f"{code}{birth:%Y%m%d}{rng.randint(1, 999):03d}"
    return first17 + id_check_char(first17), place


def mobile_number(rng: random.Random) -> tuple[str, str]:
    """(digits, as written): an 11-digit mobile number and one of its common written forms."""
    digits = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    a, b, c = digits[:3], digits[3:7], digits[7:]
    written = rng.choice((
        digits, digits, digits, f"{a} {b} {c}", f"{a}-{b}-{c}", f"+86 {digits}",
        f"+86-{a}-{b}-{c}", f"(+86){digits}", f"86-{digits}",
    ))
    return digits, written


def bank_card(rng: random.Random) -> tuple[str, str, str]:
    """(digits, as written, bank): a UnionPay card number valid by Luhn."""
    bin_, bank, length = rng.choice(CARD_BINS)
    stem = bin_ + "".join(rng.choice("0123456789") for _ in range(length - len(bin_) - 1))
    digits = with_luhn_digit(stem)
    if rng.random() < 0.35:
        written = " ".join(digits[i:i + 4] for i in range(0, len(digits), 4))
    else:
        written = digits
    return digits, written, bank


def email(rng: random.Random, company_domain: str | None = None) -> str:
    """An e-mail address: pinyin name or QQ number at a free-mail or company domain."""
    if company_domain is not None:
        return f"{rng.choice(_PY_SURNAMES)}.{rng.choice(_PY_GIVEN)}@{company_domain}"
    style = rng.randrange(4)
    if style == 0:
        return f"{rng.randint(10000, 2999999999)}@qq.com"
    name = rng.choice(_PY_SURNAMES) + rng.choice(_PY_GIVEN) + (rng.choice(_PY_GIVEN) if rng.random() < 0.5 else "")
    if style == 1:
        name += str(rng.randint(1970, 2005))
    elif style == 2:
        name += rng.choice(("_", ".", "")) + str(rng.randint(1, 999))
    return f"{name}@{rng.choice(FREE_MAIL)}"
