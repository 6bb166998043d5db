"""Check digits, prefixes and dates of Chinese identifiers: pure functions, no I/O.

Each validator takes the bare value (separators already removed) and answers whether it can be a
real identifier.  They are what makes the regexes of :mod:`taosha.pii.detect` precise: a random
18-digit number passes the resident-ID check character 1 time in 11, and the region and birth-date
checks cut that again by about 30x.

Sources (public standards, restated here in our own words and tables):

- resident ID numbers: GB 11643-1999 (ISO 7064 MOD 11-2 check character, ``X`` for 10);
  the administrative region prefix: GB/T 2260 (see :data:`PROVINCES` for the rule we apply);
- unified social credit codes: GB 32100-2015 (MOD 31 over the alphabet without I, O, Z, S, V);
- bank cards: ISO/IEC 7812 Luhn check and issuer prefixes (UnionPay 62, Visa 4, Mastercard 51-55
  and 2221-2720, JCB 35, and the old domestic 9-prefixed debit cards of ICBC/ABC/CEB);
- mobile numbers: the MIIT number plan, 3-digit prefixes assigned to operators up to 2024.
"""

from __future__ import annotations

import datetime

PROVINCES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 "
    "61 62 63 64 65 71 81 82 83".split()
)
"""GB/T 2260 province-level codes (31 mainland provinces, 71 Taiwan, 81 Hong Kong, 82 Macao)
plus 83, used by the residence permits of Taiwan residents.

The full county table changes every year (and old ID numbers keep the code in force when they
were issued), so we do not ship it.  Instead the prefecture digits (3-4) follow the structure of
GB/T 2260 itself: 01-20 and 51-70 for prefecture-level cities, 21-50 for prefectures, leagues and
autonomous prefectures, 90 for counties administered by the province; the county digits (5-6) are
01-99.  Hong Kong, Macao and Taiwan residents' permits use the province code followed by 0000.
"""

_SPECIAL_REGIONS = frozenset({"810000", "820000", "830000", "710000"})

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def region_ok(code: str) -> bool:
    """Whether a 6-digit code can be a GB/T 2260 county (or special) region.

    >>> region_ok("110105"), region_ok("440305"), region_ok("659001"), region_ok("810000")
    (True, True, True, True)
    >>> region_ok("990101"), region_ok("118001"), region_ok("110100"), region_ok("12345")
    (False, False, False, False)
    """
    if len(code) != 6 or not code.isdigit():
        return False
    if code in _SPECIAL_REGIONS:
        return True
    if code[:2] not in PROVINCES or code[:2] in ("71", "81", "82", "83"):
        return False
    prefecture = int(code[2:4])
    return (1 <= prefecture <= 70 or prefecture == 90) and code[4:6] != "00"


def date_ok(year: int, month: int, day: int, *, min_year: int = 1900, max_year: int = 2100) -> bool:
    """A real calendar date within ``[min_year, max_year]``.

    The bounds are fixed (not "today") so that the same text gets the same verdict on every run.

    >>> date_ok(2000, 2, 29), date_ok(1900, 2, 29), date_ok(1999, 13, 1), date_ok(1899, 1, 1)
    (True, False, False, False)
    """
    if not min_year <= year <= max_year:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


def id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits (ISO 7064 MOD 11-2).

    >>> id_check_char("11010519491231002")
    'X'
    >>> id_check_char("44052418800101001")
    '4'
    """
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def id18_ok(value: str) -> bool:
    """An 18-character resident ID number: region, birth date and check character.

    >>> id18_ok("11010519491231002X"), id18_ok("11010519491231002x"), id18_ok("440524188001010014")
    (True, True, False)
    >>> id18_ok("110105194912310021")  # wrong check character
    False
    >>> id18_ok("110105194913310021")  # month 13, with a correct check character
    False
    """
    if len(value) != 18 or not value[:17].isdigit():
        return False
    last = value[17].upper()
    if last != id_check_char(value[:17]):
        return False
    if not region_ok(value[:6]):
        return False
    return date_ok(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def id15_ok(value: str) -> bool:
    """A first-generation 15-digit ID number (1984-2004): region and a 19YYMMDD birth date.

    It has no check character, so this is weaker than :func:`id18_ok` (about 1 random 15-digit
    number in 60 passes); the detector therefore refuses 15-digit runs in negative contexts.

    >>> id15_ok("110105491231002"), id15_ok("110105491331002"), id15_ok("000105491231002")
    (True, False, False)
    """
    if len(value) != 15 or not value.isdigit():
        return False
    if not region_ok(value[:6]):
        return False
    return date_ok(1900 + int(value[6:8]), int(value[8:10]), int(value[10:12]))


def luhn_ok(digits: str) -> bool:
    """The Luhn (ISO/IEC 7812) check over a digit string.

    >>> luhn_ok("4111111111111111"), luhn_ok("4111111111111112"), luhn_ok("6222021234567890127")
    (True, False, False)
    """
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = ord(c) - 48
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(partial: str) -> str:
    """The digit that completes ``partial`` to pass :func:`luhn_ok` (used by generators).

    >>> luhn_digit("411111111111111")
    '1'
    """
    for d in "0123456789":
        if luhn_ok(partial + d):
            return d
    raise AssertionError("unreachable")


def bank_card_ok(digits: str) -> bool:
    """A payment card number: 16-19 digits, a known issuer prefix and the Luhn check.

    UnionPay (62) cards are 16-19 digits; international brands issued in China are 16 digits;
    the old domestic debit cards (9558 ICBC, 95599 ABC, 90030 CEB...) are 19.

    >>> bank_card_ok("6222021234567890128"), bank_card_ok("4111111111111111"), bank_card_ok("5500000000000004")
    (True, True, True)
    >>> bank_card_ok("1234567812345670"), bank_card_ok("41111111111111111")  # no issuer; Visa of 17
    (False, False)
    """
    n = len(digits)
    if not 16 <= n <= 19 or not digits.isdigit() or not luhn_ok(digits):
        return False
    if n == 18 and region_ok(digits[:6]) and date_ok(int(digits[6:10]), int(digits[10:12]), int(digits[12:14])):
        return False  # shaped like a resident ID (Gansu is 62): a mistyped ID, not a rare 18-digit card
    if digits.startswith("62"):
        return True
    if n == 16:
        if digits[0] == "4" or "51" <= digits[:2] <= "55" or "2221" <= digits[:4] <= "2720":
            return True
        if "3528" <= digits[:4] <= "3589":
            return True
        return False
    if n == 19:
        return digits.startswith(("9558", "95599", "90030", "4"))
    return False


USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_REGISTRARS = frozenset("123456789ANY")
"""First character of a social credit code: the registering authority (1 organization
establishment, 5 civil affairs, 9 market regulation, N agriculture, Y others, ...).  The second,
the kind of organization, is 1-5 or 9 under every authority."""


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character of the first 17 characters.

    >>> uscc_check_char("91350100M000100Y4")
    '3'
    """
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_ok(value: str) -> bool:
    """A unified social credit code: alphabet, registrar, region digits and check character.

    >>> uscc_ok("91350100M000100Y43"), uscc_ok("91350100M000100Y44"), uscc_ok("913501OOM000100Y43")
    (True, False, False)
    """
    if len(value) != 18 or any(c not in _USCC_VALUE for c in value):
        return False
    if value[0] not in USCC_REGISTRARS or value[1] not in "123459" or not value[2:8].isdigit():
        return False
    if value[2:4] not in PROVINCES:
        return False
    return uscc_check_char(value[:17]) == value[17]


MOBILE_PREFIXES: frozenset[str] = frozenset(
    [f"13{d}" for d in range(10)]
    + ["145", "146", "147", "148", "149"]
    + [f"15{d}" for d in "012356789"]
    + ["162", "165", "166", "167"]
    + [f"17{d}" for d in "012345678"]
    + [f"18{d}" for d in range(10)]
    + [f"19{d}" for d in "012356789"]
)
"""3-digit prefixes of 11-digit mainland mobile numbers (voice and data, incl. virtual operators
170/171/162/165/167 and satellite 174).  140-144 are 13-digit IoT numbers and 154, 160, 194 are
unassigned, so 11-digit numbers with those prefixes are not mobiles."""


def mobile_ok(digits: str) -> bool:
    """An 11-digit mainland mobile number with an assigned prefix.

    >>> mobile_ok("13812345678"), mobile_ok("19912345678"), mobile_ok("15412345678"), mobile_ok("12345678901")
    (True, True, False, False)
    """
    return len(digits) == 11 and digits.isdigit() and digits[:3] in MOBILE_PREFIXES


def area_code_ok(code: str) -> bool:
    """A mainland long-distance area code with its leading 0: 010, 02X, or 0[3-9]XX.

    >>> area_code_ok("010"), area_code_ok("021"), area_code_ok("0755"), area_code_ok("011"), area_code_ok("0300")
    (True, True, True, False, False)
    """
    if not code.isdigit() or code[:1] != "0":
        return False
    if len(code) == 3:
        return code[1] == "2" or code == "010"
    if len(code) == 4:
        return code[1] in "3456789" and code[2:] != "00"
    return False
