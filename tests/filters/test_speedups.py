"""The C kernel ``taosha._speedups`` against the NumPy reference it replaces, value for value.

Both paths run in this process: the kernel path as installed, the reference by switching the
modules' ``KERNEL`` flag off (what ``TAOSHA_PURE_PYTHON=1`` does at import).  Results are compared
with ``repr`` so that key order, int versus float and -0.0 versus 0.0 count as differences too.
These tests need the extension built (``pip install -e .`` builds it); ``test_kernel_is_loaded``
fails on a development install where it is missing, so CI cannot fall back without noticing.
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator

import numpy as np
import pytest
from conftest import DATA, load_records
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taosha import Context, Document
from taosha.filters import charclass, heuristics, langid, signals
from taosha.filters.heuristics import CjkRatio, ZhHeuristics
from taosha.filters.langid import LangId
from taosha.pipeline import chain

try:
    from taosha import _speedups
except ImportError:  # not built: the tests that need it fail, saying so (see built())
    _speedups = None  # type: ignore[assignment]

FILES = sorted(p.name for p in DATA.glob("*.jsonl.gz"))
SAMPLE = 300  # documents per file: every source's shape, in about a second for both paths


def built():
    """The extension module; a clear failure where it was not built."""
    if _speedups is None:
        pytest.fail("taosha._speedups is not built: `pip install -e .` with a C compiler builds it")
    return _speedups


def use_kernel(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    """Route signals, langid and cjk_ratio through the kernel (``on``) or the NumPy reference."""
    monkeypatch.setattr(charclass, "kernel", built() if on else None)
    for module in (charclass, signals, langid, heuristics):
        monkeypatch.setattr(module, "KERNEL", on)


def measure(text: str) -> str:
    """Every value the three steps take from the kernel, as one comparable string."""
    doc = Document("d", text)
    return repr((
        signals.all_signals(text, 100),
        signals.all_signals(text, 0),
        signals.char_signals(text),
        signals.ngram_signals(text),
        langid.detect(text),
        CjkRatio().score(doc),
    ))


def both(monkeypatch: pytest.MonkeyPatch, texts: list[str]) -> tuple[list[str], list[str]]:
    use_kernel(monkeypatch, True)
    fast = [measure(t) for t in texts]
    use_kernel(monkeypatch, False)
    reference = [measure(t) for t in texts]
    return fast, reference


def test_kernel_is_loaded():
    # The development install builds the extension; only TAOSHA_PURE_PYTHON=1 may switch it off.
    if os.environ.get("TAOSHA_PURE_PYTHON") == "1":
        assert not charclass.KERNEL
    else:
        assert built().API_VERSION == charclass._KERNEL_API, "stale taosha._speedups: `pip install -e .`"
        assert charclass.KERNEL and charclass.kernel is _speedups, (
            "taosha._speedups is not in use: rebuild it with `pip install -e .` (needs a C compiler)"
        )


def test_pure_python_switch_is_read_at_import():
    code = "from taosha.filters import charclass, signals; print(charclass.KERNEL, signals.KERNEL)"
    env = {**os.environ, "TAOSHA_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


@pytest.mark.parametrize("name", FILES)
def test_same_signals_as_reference_on_real_text(monkeypatch, name):
    texts = [r["text"] for r in load_records(name, SAMPLE)]
    assert texts
    fast, reference = both(monkeypatch, texts)
    for text, a, b in zip(texts, fast, reference, strict=True):
        assert a == b, text[:80]


EDGE_CASES = {
    "empty": "",
    **{f"{k}_chars": "哈哈大笑了a 1！"[:k] for k in range(1, 10)},
    "one_repeated_9": "哈" * 9,
    "one_repeated_11": "哈" * 11,
    "all_whitespace": " \t\n\u3000\r\n  \x0b\x0c\x85 ",
    "whitespace_between_repeats": "买 彩 票\n买彩票\u3000买彩票 买彩票",
    "astral_han": "𠀀𠀁𠀂𠀀𠀁𠀂𠀀𠀁𠀂𪚥𪚥𪚥 的",
    "emoji": "😀😃😀😃😀😃今天真开心😀😃",
    "beyond_table": "\U00032000\U0003ffff\U000e0001\U0010ffff" * 5 + "中文",
    "lone_surrogates": "\ud800中文\udfff\ud800中文\udfff\udbff",
    "latin1_only": "Café naïve résumé, déjà vu! " * 12,
    "ascii_only": "the cat sat on the mat. " * 10,
    "kana_and_hangul": "東京は日本の首都です。한국어도 있어요。カタカナ",
    "traditional": "今天天氣很好，我們去公園散步吧。這裡的風景真美麗。",
    "long_haha": "哈" * 100_000,
    "long_period_7": "我们一起去公园" * 3000,
    "many_lines": "\n".join(["第一行。", "第二行", "", "第一行。", "  ", "又一行……"] * 50),
}


@pytest.mark.parametrize("name", list(EDGE_CASES))
def test_same_signals_as_reference_on_edge_cases(monkeypatch, name):
    text = EDGE_CASES[name]
    fast, reference = both(monkeypatch, [text])
    assert fast == reference


def test_latin1_text_is_read_as_one_byte_kind():
    # A str of Latin-1 code points is stored one byte per character (PEP 393); the kernel reads
    # that buffer as it is.  Its counts must match a 4-byte copy of the same text.
    text = EDGE_CASES["latin1_only"]
    wide = text + "\U0001f600"
    table, speedups = charclass.class_table(), built()
    counts, functions, latin_runs, visible = speedups.scan(text, table)
    wide_counts, _, wide_runs, wide_visible = speedups.scan(wide, table)
    assert latin_runs == wide_runs == 12 * 5 and visible == wide_visible - 1  # 5 words a copy
    assert counts[charclass.LATIN] == wide_counts[charclass.LATIN] == sum(c.isalpha() for c in text)
    assert functions == 0


def test_same_signals_on_random_small_alphabet_texts(monkeypatch):
    # Short texts over 2-4 letters repeat at every n-gram order in every possible way: the
    # candidate pruning and the span union of the n-gram counts are exercised far beyond prose.
    rng = random.Random(20261129)
    texts = []
    for _ in range(1500):
        alphabet = rng.choice(["甲乙", "甲乙丙", "甲乙丙丁", "ab 甲"])
        texts.append("".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 60))))
    fast, reference = both(monkeypatch, texts)
    mismatched = [t for t, a, b in zip(texts, fast, reference, strict=True) if a != b]
    assert not mismatched


def test_steps_decide_the_same_with_and_without_kernel(monkeypatch):
    docs = [r["text"] for name in FILES for r in load_records(name, 60)]

    def run() -> list[tuple]:
        removed: list[tuple] = []
        ctx = Context(on_remove=lambda d, s, r, x: removed.append((d.id, r)))
        steps = [("cjk_ratio", CjkRatio()), ("lang_id", LangId()), ("zh_heuristics", ZhHeuristics())]
        kept = chain(steps, (Document(str(i), t) for i, t in enumerate(docs)), ctx)
        return [(d.id, repr(d.meta)) for d in kept] + removed

    use_kernel(monkeypatch, True)
    fast = run()
    use_kernel(monkeypatch, False)
    assert fast == run()


def test_ngram_counts_by_hand():
    table, speedups = charclass.class_table(), built()
    # 12 visible characters; 买彩票 x4: the top 2-gram 买彩 occurs 4 times, every 5..9-gram
    # repeats (all 12 characters covered) and no 10-gram does (3 of them, all different).
    visible, entropy, *counts = speedups.ngram_counts("买彩票买彩票 买彩票\n买彩票", table)
    assert visible == 12 and counts == [4, 4, 3, 12, 12, 12, 12, 12, 0]
    assert entropy == pytest.approx(np.log2(3))
    # Fewer than n + 1 visible characters: order n is not measured.
    assert speedups.ngram_counts("哈哈哈", table)[2:] == (3 - 1, 0, 0, 0, 0, 0, 0, 0, 0)
    assert speedups.ngram_counts("", table) == (0, 0.0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


def test_kernel_rejects_bad_arguments():
    table, speedups = charclass.class_table(), built()
    with pytest.raises(TypeError):
        speedups.scan(b"bytes", table)
    with pytest.raises(TypeError):
        speedups.ngram_counts("文本", [1, 2, 3])
    with pytest.raises(ValueError):
        speedups.scan("文本", b"")
    with pytest.raises(TypeError):
        speedups.scan("文本")


def test_class_table_cache_round_trip(monkeypatch, tmp_path):
    monkeypatch.setenv("TAOSHA_CACHE_DIR", str(tmp_path))
    built = charclass.build_class_table()
    first = charclass.class_table.__wrapped__()  # builds and writes the cache
    (path,) = tmp_path.iterdir()
    assert path.name.startswith("class-table-u") and path.stat().st_size == charclass.TABLE_SIZE + 1 + 16
    monkeypatch.setattr(charclass, "build_class_table", lambda: pytest.fail("cache not used"))
    second = charclass.class_table.__wrapped__()  # reads it
    assert np.array_equal(first, built) and np.array_equal(second, built)
    assert not second.flags.writeable


def test_class_table_cache_rebuilds_a_damaged_file(monkeypatch, tmp_path):
    monkeypatch.setenv("TAOSHA_CACHE_DIR", str(tmp_path))
    path = charclass._table_cache_path()
    assert path is not None
    charclass.class_table.__wrapped__()
    raw = bytearray(path.read_bytes())
    raw[0x4E00] ^= 1  # one class changed: the checksum no longer matches
    path.write_bytes(bytes(raw))
    assert charclass._read_cached_table(path) is None
    table = charclass.class_table.__wrapped__()
    assert np.array_equal(table, charclass.build_class_table())
    assert charclass._read_cached_table(path) is not None  # rewritten


def test_class_table_without_a_writable_cache(monkeypatch, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("TAOSHA_CACHE_DIR", str(blocker / "taosha"))
    table = charclass.class_table.__wrapped__()
    assert np.array_equal(table, charclass.build_class_table())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a-file"]


def test_class_table_cache_keeps_only_the_newest_tables(monkeypatch, tmp_path):
    monkeypatch.setenv("TAOSHA_CACHE_DIR", str(tmp_path))
    for age in range(6):  # tables left by older versions of the code
        stale = tmp_path / f"class-table-u0-opencc0-{age:016x}.bin"
        stale.write_bytes(b"old")
        os.utime(stale, (1_000_000 - age, 1_000_000 - age))
    charclass.class_table.__wrapped__()
    kept = sorted(p.name for p in tmp_path.iterdir())
    assert charclass._table_cache_path().name in kept
    assert kept == sorted([charclass._table_cache_path().name] + [f"class-table-u0-opencc0-{a:016x}.bin" for a in range(3)])


# ---- fuzzing: arbitrary str against the NumPy reference and an exact pure-Python reference ----------
#
# The strategies below are shared with benchmarks/fuzz_speedups.py, which runs the same check for
# minutes (optionally against a sanitizer build); the test runs a fixed, derandomized sample.


@contextlib.contextmanager
def kernel_switched(on: bool) -> Iterator[None]:
    """``use_kernel`` without pytest's monkeypatch (which hypothesis's @given cannot share)."""
    saved = [(module, module.KERNEL) for module in (charclass, signals, langid, heuristics)]
    saved_kernel = charclass.kernel
    charclass.kernel = built() if on else None
    for module, _ in saved:
        module.KERNEL = on
    try:
        yield
    finally:
        charclass.kernel = saved_kernel
        for module, flag in saved:
            module.KERNEL = flag


# Code points where the kernel's reading can go wrong: every PEP 393 width boundary, lone and paired
# surrogates, the last table entry and its neighbours (charclass.TABLE_SIZE), the last code point,
# the whitespace the table calls SPACE, LATIN run edges and function characters.
SPECIAL = [chr(c) for c in (
    0x00, 0x09, 0x0A, 0x20, 0x41, 0x7F, 0x80, 0x85, 0xA0, 0xD7, 0xE9, 0xFF, 0x100, 0x24F, 0x250,
    0x3000, 0x4E00, 0x7684, 0x4E86, 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000, 0xFF21, 0xFFFF,
    0x10000, 0x1F600, 0x20000, charclass.TABLE_SIZE - 1, charclass.TABLE_SIZE, charclass.TABLE_SIZE + 1,
    0xE0001, 0x10FFFF,
)]
any_char = st.one_of(st.sampled_from(SPECIAL), st.integers(0, 0x10FFFF).map(chr))


@st.composite
def small_alphabet_text(draw, max_size: int = 120) -> str:
    # Few distinct characters: n-grams repeat at every order, in every possible overlap.
    alphabet = draw(st.lists(any_char, min_size=1, max_size=4))
    return "".join(draw(st.lists(st.sampled_from(alphabet), max_size=max_size)))


@st.composite
def repeated_text(draw, max_repeat: int = 3000) -> str:
    # A unit repeated many times (spam, "哈" * 10000), with something around it.
    unit = draw(st.text(any_char, min_size=1, max_size=8))
    return draw(st.text(any_char, max_size=4)) + unit * draw(st.integers(1, max_repeat)) + draw(
        st.text(any_char, max_size=4))


class _Sub(str):
    """A str subclass: CPython stores it non-compact (data in a separate block), which the kernel's
    PyUnicode_DATA must follow as well as the compact layout."""


def fuzz_texts(max_repeat: int = 3000) -> st.SearchStrategy[str]:
    part = st.one_of(st.text(any_char, max_size=40), small_alphabet_text(), repeated_text(max_repeat))
    joined = st.lists(part, min_size=1, max_size=4).map("".join)  # mixed widths in one str
    return st.one_of(joined, joined.map(_Sub))


def exact_scan(text: str) -> tuple:
    """``scan`` in plain Python, one character at a time."""
    table = charclass.class_table()
    entries = [int(table[min(ord(c), charclass.TABLE_SIZE)]) for c in text]
    classes = [0] * 16
    runs = 0
    was_latin = False
    for e in entries:
        classes[e & 15] += 1
        is_latin = (e & 15) == charclass.LATIN
        runs += is_latin and not was_latin
        was_latin = is_latin
    functions = sum(1 for e in entries if e & charclass.FUNCTION)
    return tuple(classes), functions, runs, sum(1 for e in entries if (e & 15) != charclass.SPACE)


def exact_ngram_counts(text: str) -> tuple:
    """``ngram_counts`` by its definition, with n-grams compared as tuples (no hashing, no pruning);
    the entropy as a float to compare approximately."""
    table = charclass.class_table()
    vis = [ord(c) for c in text if (table[min(ord(c), charclass.TABLE_SIZE)] & 15) != charclass.SPACE]
    length = len(vis)
    entropy = -sum(f / length * math.log2(f / length) for f in Counter(vis).values()) if vis else 0.0
    result = []
    for n in range(2, 11):
        if length < n + 1:
            result.append(0)
            continue
        grams = Counter(tuple(vis[i:i + n]) for i in range(length - n + 1))
        if n <= 4:
            result.append(max(grams.values()))
        else:
            covered = set()
            for i in range(length - n + 1):
                if grams[tuple(vis[i:i + n])] >= 2:
                    covered.update(range(i, i + n))
            result.append(len(covered))
    return (length, entropy, *result)


def check_text(text: str, exact_up_to: int = 3000) -> None:
    """The kernel's raw counts against the exact reference (texts up to ``exact_up_to``
    characters: it is quadratic-ish in Python), and every signal against the NumPy reference."""
    table, speedups = charclass.class_table(), built()
    scanned = speedups.scan(text, table)
    counts = speedups.ngram_counts(text, table)
    if len(text) <= exact_up_to:
        assert scanned == exact_scan(text)
        expected = exact_ngram_counts(text)
        assert counts[0] == expected[0] and counts[2:] == expected[2:]
        assert math.isclose(counts[1], expected[1], rel_tol=1e-12, abs_tol=1e-12)
    assert speedups.scan(str(text), table) == scanned  # same str, compact exact type
    with kernel_switched(True):
        fast = measure(text)
    with kernel_switched(False):
        reference = measure(text)
    assert fast == reference


@settings(max_examples=300, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(fuzz_texts())
def test_same_counts_and_signals_on_arbitrary_str(text):
    # Every code point incl. lone surrogates and ones beyond the table, every PEP 393 width and
    # their mixtures, str subclasses, long repeats; a fixed sample (derandomized) so CI is stable.
    check_text(text)


def test_allocation_failure_raises_memory_error_and_leaves_the_kernel_consistent():
    # ngram_counts allocates 20 bytes a character plus its hash map; when either allocation fails
    # it must raise MemoryError (not crash, not return counts) and leave its process-wide
    # per-code-point counts at zero, so the next text is counted right.  Run in a child whose
    # address space is capped just above what it already uses.
    code = r"""
import resource
from taosha import _speedups
from taosha.filters import charclass
table = charclass.class_table()
small = "买彩票买彩票 买彩票\n买彩票"
expected = _speedups.ngram_counts(small, table)
big = "甲乙丙丁" * 7_500_000  # 30 million characters: 600 MB of work buffer, 800 MB of hash map
with open("/proc/self/status") as fh:
    in_use = int(fh.read().split("VmSize:")[1].split()[0]) * 1024
for headroom in (300_000_000, 700_000_000):  # the work buffer fails; then only the hash map
    resource.setrlimit(resource.RLIMIT_AS, (in_use + headroom, resource.RLIM_INFINITY))
    try:
        _speedups.ngram_counts(big, table)
    except MemoryError:
        print("MemoryError")
    resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
    print(_speedups.ngram_counts(small, table) == expected)
"""
    built()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["MemoryError", "True", "MemoryError", "True"]


def test_table_buffer_and_references_are_released_on_every_path():
    # A bytearray cannot be resized while a buffer on it is held: after each call, successful or
    # refused, it must be resizable again, and no reference to it or to the text may be left.
    speedups = built()
    table = bytearray(charclass.class_table().tobytes())
    text = "买彩票买彩票 买彩票\nabc😀\ud800" * 3
    refs = sys.getrefcount(table), sys.getrefcount(text)
    for call in (speedups.scan, speedups.ngram_counts):
        call(text, table)
        call("", table)
        with pytest.raises(TypeError):
            call(b"not a str", table)
        table.append(0)  # raises BufferError if the buffer were still held
        table.pop()
        empty = bytearray()
        with pytest.raises(ValueError):
            call(text, empty)
        empty.append(0)
        wide = np.zeros(8, dtype=np.uint16)  # item size 2: refused after the buffer was taken
        with pytest.raises(ValueError):
            call(text, wide)
        wide.resize(16, refcheck=True)  # raises while an export is held
    assert (sys.getrefcount(table), sys.getrefcount(text)) == refs
