"""One table that puts every code point in a class, so a text's script and symbol make-up is counted
with a single vectorised pass instead of a Python loop over characters.

``classify(text)`` turns the text into an array of class codes (UTF-32 bytes viewed as a NumPy array,
then one table lookup); ``class_counts`` adds them up with ``np.bincount``.  Every quality signal of
:mod:`taosha.filters.heuristics` and the language ID of :mod:`taosha.filters.langid` start from it.

Classes (low 4 bits of a table entry):

=============  =========================================================================
``HAN``        a Han ideograph written the same in simplified and traditional Chinese
``HAN_SIMP``   a simplified-only form (OpenCC ``s2t`` changes it, ``t2s`` does not)
``HAN_TRAD``   a traditional-only form (OpenCC ``t2s`` changes it)
``KANA``       hiragana, katakana (Japanese)
``HANGUL``     Korean syllables and jamo
``LATIN``      Latin letters, half- and full-width
``OTHER_L``    letters of any other script (Cyrillic, Thai, Arabic ...)
``DIGIT``      decimal digits, half- and full-width
``PUNCT``      Unicode punctuation (P*), CJK and ASCII alike
``SYMBOL``     Unicode symbols (S*): emoji, ¥, ★, ©, box drawing ...
``SPACE``      whitespace, including U+3000
``CONTROL``    control, format (zero-width), private-use and unassigned code points
=============  =========================================================================

Bit 4 (``FUNCTION``) marks Chinese function characters (的 了 是 在 ...), the character-level
counterpart of Gopher's English stop words.

The simplified/traditional split is derived from OpenCC's character tables (a core dependency,
shipped with its data: nothing is downloaded), by converting each Han code point on its own.

Start-up.  Building the table takes about 0.12 CPU-s (204,800 ``unicodedata.category`` calls and two
OpenCC conversions of 28,000 characters), paid by every worker process.  So the built table is kept
in the user's cache directory (``$TAOSHA_CACHE_DIR``, else ``$XDG_CACHE_HOME/taosha``, else
``~/.cache/taosha``) under a name made of everything it is derived from: the Unicode version of
``unicodedata``, the OpenCC version and a hash of this file (the code that builds it).  Loading it
takes a few milliseconds; a change of any input builds a new one, a file that fails its checksum is
rebuilt, and an unwritable cache directory only means building every time.  Nothing is shipped.

C kernel.  When the compiled extension ``taosha._speedups`` is importable (``pip install -e .``
builds it with the system C compiler), :mod:`taosha.filters.signals`, :mod:`taosha.filters.langid`
and ``cjk_ratio`` count classes (:func:`scan`), entropy and n-grams with C passes over the str's own
buffer (:data:`KERNEL`); the NumPy code here and in :mod:`taosha.filters.signals` stays the reference
implementation and the fallback, used when the extension is missing (no C compiler at install:
taosha works, about 5x slower in these three steps) or when the environment variable
``TAOSHA_PURE_PYTHON=1`` is set (read once, at import).  Both give the same values: the kernel
returns raw counts and the Python side does the same arithmetic on them
(``tests/filters/test_speedups.py`` checks samples of every file of ../shared/data).

>>> counts = class_counts("漢字和汉字 ABC 123！")
>>> int(counts[HAN_TRAD]), int(counts[HAN_SIMP]), int(counts[LATIN]), int(counts[DIGIT]), int(counts[PUNCT])
(1, 1, 3, 3, 1)
>>> int(han_count(counts)), int(counts[SPACE])
(5, 2)
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import os
import unicodedata
from functools import lru_cache
from pathlib import Path
from types import ModuleType

import numpy as np

HAN, HAN_SIMP, HAN_TRAD, KANA, HANGUL, LATIN, OTHER_L, DIGIT, PUNCT, SYMBOL, SPACE, CONTROL = range(12)
N_CLASSES = 12
FUNCTION = 16
"""Flag bit on top of the class: a Chinese function character."""

TABLE_SIZE = 0x32000
"""Code points at or above this (beyond CJK extension H) are looked up as the last entry: ``CONTROL``."""

FUNCTION_CHARS = (
    "的了是在和有不这也就都而与及或之其我他她它你们个上中为以到说要会对着把被从向但还很吗呢吧啊"
    "這們個為與對說會還嗎從於于"
)
"""Chinese function characters, simplified and traditional.  FineWeb-2's cmn_Hani stop words
(的 年 在 月 是 和 日 了 於 為 有 被 人 中 为 他 與 後 也 而 由) were the starting point; content
characters such as 年 月 日 人 were dropped because list pages (dates, rosters) are full of them."""

_HAN_RANGES = (
    (0x3400, 0x4DC0), (0x4E00, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2A6E0), (0x2A700, 0x2EBF0),
    (0x2F800, 0x2FA20), (0x30000, 0x31350),
)


_KERNEL_API = 2
"""The ``API_VERSION`` of ``taosha._speedups`` this code calls; a stale build (an older ``.so`` left
in the tree after the C source changed) is not used, and ``tests/filters/test_speedups.py`` says
to rebuild it."""


def _load_kernel() -> ModuleType | None:
    if os.environ.get("TAOSHA_PURE_PYTHON") == "1":
        return None
    try:
        _speedups = importlib.import_module("taosha._speedups")
    except ImportError:
        return None
    # The C code hard-codes the table layout; a mismatch would miscount silently.
    layout = (_speedups.CLASS_MASK, _speedups.FUNCTION, _speedups.LATIN, _speedups.SPACE)
    if getattr(_speedups, "API_VERSION", None) != _KERNEL_API or layout != (15, FUNCTION, LATIN, SPACE):
        return None
    return _speedups


kernel: ModuleType | None = _load_kernel()
"""The C extension ``taosha._speedups``, or ``None`` when it is missing or ``TAOSHA_PURE_PYTHON=1``."""
KERNEL = kernel is not None


@lru_cache(maxsize=1)
def class_table() -> np.ndarray:
    """The ``uint8`` class of every code point below :data:`TABLE_SIZE` (plus one ``CONTROL`` slot).

    Read from the user's cache when a table built from the same inputs is there (module docstring).
    """
    path = _table_cache_path()
    table = _read_cached_table(path) if path else None
    if table is None:
        table = build_class_table()
        if path:
            _write_cached_table(path, table)
    table.flags.writeable = False
    return table


def build_class_table() -> np.ndarray:
    """Build :func:`class_table` from ``unicodedata`` and OpenCC (about 0.12 CPU-s)."""
    by_category = {"Nd": DIGIT}  # other numbers (①, Ⅷ, ½) are decorations in web text: symbols
    first = {"L": OTHER_L, "N": SYMBOL, "P": PUNCT, "S": SYMBOL, "Z": SPACE, "M": OTHER_L, "C": CONTROL}
    category = unicodedata.category
    raw = bytes(
        by_category.get(cat, first[cat[0]])
        for cat in (category(chr(cp)) for cp in range(TABLE_SIZE))
    )
    table = np.frombuffer(raw + bytes([CONTROL]), dtype=np.uint8).copy()
    for cp in (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85):
        table[cp] = SPACE
    for lo, hi in ((0x41, 0x5B), (0x61, 0x7B), (0xFF21, 0xFF3B), (0xFF41, 0xFF5B), (0xC0, 0x250)):
        table[lo:hi] = LATIN
    table[0xD7] = SYMBOL
    table[0xF7] = SYMBOL
    for lo, hi in ((0x3040, 0x3100), (0x31F0, 0x3200), (0xFF66, 0xFFA0)):
        table[lo:hi] = KANA
    table[0x30FC] = KANA  # ー is also used in Chinese web text, but rarely
    table[0x30FB] = PUNCT  # ・ katakana middle dot: a separator in Chinese names too
    for lo, hi in ((0xAC00, 0xD7B0), (0x1100, 0x1200), (0x3130, 0x3190), (0xFFA0, 0xFFDD)):
        table[lo:hi] = HANGUL
    for lo, hi in _HAN_RANGES:
        table[lo:min(hi, TABLE_SIZE)] = HAN
    simp, trad = _simp_trad_sets()
    table[np.fromiter(simp, dtype=np.int64)] = HAN_SIMP
    table[np.fromiter(trad, dtype=np.int64)] = HAN_TRAD
    for ch in FUNCTION_CHARS:
        table[ord(ch)] |= FUNCTION
    return table


def _table_cache_path() -> Path | None:
    """Where a table built from today's inputs is cached, or ``None`` when that cannot be said."""
    import opencc

    try:
        source = Path(__file__).read_bytes()
    except OSError:  # pragma: no cover - e.g. imported from a zip
        return None
    base = os.environ.get("TAOSHA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "taosha"
    )
    code = hashlib.blake2b(source, digest_size=8).hexdigest()
    opencc_version = getattr(opencc, "__version__", "unknown")
    return Path(base) / f"class-table-u{unicodedata.unidata_version}-opencc{opencc_version}-{code}.bin"


_DIGEST = 16


def _read_cached_table(path: Path) -> np.ndarray | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    body, digest = raw[:-_DIGEST], raw[-_DIGEST:]
    if len(body) != TABLE_SIZE + 1 or hashlib.blake2b(body, digest_size=_DIGEST).digest() != digest:
        return None  # truncated or damaged: rebuilt and rewritten
    return np.frombuffer(body, dtype=np.uint8).copy()


def _write_cached_table(path: Path, table: np.ndarray) -> None:
    body = table.tobytes()
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(body + hashlib.blake2b(body, digest_size=_DIGEST).digest())
        os.replace(tmp, path)  # atomic: concurrent workers never read a half-written table
    except OSError:
        with contextlib.suppress(OSError):  # read-only home, full disk: build every time instead
            tmp.unlink(missing_ok=True)
        return
    # Tables of older versions (each code change names a new file) are removed, but the newest few
    # are kept: two installed versions of taosha sharing the cache would otherwise rebuild in turn.
    with contextlib.suppress(OSError):
        tables = sorted(path.parent.glob("class-table-*.bin"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in tables[_KEEP_TABLES:]:
            old.unlink(missing_ok=True)


_KEEP_TABLES = 4


def _simp_trad_sets() -> tuple[list[int], list[int]]:
    import opencc

    cps = [cp for lo, hi in _HAN_RANGES[:3] for cp in range(lo, hi)]
    chars = [chr(cp) for cp in cps]
    # Newline-separated, so OpenCC converts every character on its own (no phrase context).
    joined = "\n".join(chars)
    to_simp = opencc.OpenCC("t2s").convert(joined).split("\n")
    to_trad = opencc.OpenCC("s2t").convert(joined).split("\n")
    if len(to_simp) != len(chars) or len(to_trad) != len(chars):  # pragma: no cover - OpenCC contract
        raise RuntimeError("OpenCC changed the number of lines while converting single characters")
    trad = [cp for cp, c, s in zip(cps, chars, to_simp, strict=True) if s != c]
    simp = [cp for cp, c, s, t in zip(cps, chars, to_simp, to_trad, strict=True) if t != c and s == c]
    return simp, trad


def codepoints(text: str) -> np.ndarray:
    """The text's code points as ``uint32`` (a view on its UTF-32 encoding, no Python loop).

    Lone surrogates, which a ``str`` can hold, are kept as their code point (``surrogatepass``),
    as the C kernel reads them; the strict codec raised on them.
    """
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


@lru_cache(maxsize=4)
def codepoints_and_classes(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Code points and table entries of ``text``, read-only.

    Cached for the last few texts: ``cjk_ratio``, ``lang_id`` and ``zh_heuristics`` run one after
    the other on the same document, and the text's hash is computed once and kept by the ``str``.
    """
    cps = codepoints(text)
    entries = class_table()[np.minimum(cps, TABLE_SIZE)]
    cps.flags.writeable = False
    entries.flags.writeable = False
    return cps, entries


def scan(text: str) -> tuple[tuple[int, ...], int, int, int]:
    """``(class_counts, function_count, latin_runs, visible)`` of ``text`` from the C kernel (only
    when :data:`KERNEL`): characters per class (a 16-tuple), function characters, maximal runs of
    ``LATIN`` characters and non-``SPACE`` characters.

    The last result is kept for the same ``str`` object: ``cjk_ratio``, ``lang_id`` and
    ``zh_heuristics`` run one after the other on the same document.  An identity check, not an
    ``lru_cache``, because hashing a new 450-character text costs 40% of scanning it.
    """
    global _last_scan
    last = _last_scan  # one tuple, read and replaced whole: safe across threads
    if last[0] is text:
        return last[1]
    result = kernel.scan(text, class_table())  # type: ignore[union-attr]
    _last_scan = (text, result)
    return result


_last_scan: tuple[str | None, tuple] = (None, ())


def classify(text: str) -> np.ndarray:
    """Table entries (class plus flags) of every character of ``text`` (read-only)."""
    return codepoints_and_classes(text)[1]


def class_counts(text: str | np.ndarray) -> np.ndarray:
    """How many characters of each class (index by class code); function flags folded in."""
    entries = classify(text) if isinstance(text, str) else text
    counts = np.bincount(entries, minlength=2 * FUNCTION)
    return counts[:FUNCTION] + counts[FUNCTION:]


def function_count(entries: np.ndarray) -> int:
    return int(np.count_nonzero(entries & FUNCTION))


def han_count(counts: np.ndarray) -> int:
    return int(counts[HAN] + counts[HAN_SIMP] + counts[HAN_TRAD])
