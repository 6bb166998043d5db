"""Fuzz ``taosha._speedups`` for minutes: arbitrary ``str`` against the NumPy reference and an exact
pure-Python reference (``check_text`` of tests/filters/test_speedups.py, which runs a fixed sample of
the same check in a few seconds).

Two engines:

``hypothesis`` (default)
    The test's strategies (every code point incl. lone surrogates and ones beyond the class table,
    1/2/4-byte strings and their mixtures, str subclasses, small alphabets, long repeats), fresh
    random examples until the time is up; a failure is shrunk to a minimal text and printed.
``atheris``
    libFuzzer-driven (``pip install atheris``): the fuzzer's bytes become a str of any code points
    (``ConsumeUnicode``, surrogates included) that is sometimes repeated.  Coverage guidance sees
    only the Python code unless the extension is built with ``-fsanitize=fuzzer-no-link`` (clang),
    so this mainly adds libFuzzer's input mutation to the random search.

Run against a sanitizer build to catch memory errors that do not change a result, e.g. (gcc 12)::

    gcc -shared -fPIC -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=undefined \\
        -I$(python -c "import sysconfig; print(sysconfig.get_paths()['include'])") \\
        src/taosha/_speedups.c -o /tmp/asan/_speedups$(python3-config --extension-suffix)
    SPEEDUPS_SO=/tmp/asan/_speedups....so LD_PRELOAD="$(gcc -print-file-name=libasan.so) \\
        $(gcc -print-file-name=libubsan.so)" ASAN_OPTIONS=detect_leaks=0 \\
        .venv/bin/python benchmarks/fuzz_speedups.py --seconds 300

(``SPEEDUPS_SO``: this script loads that file as ``taosha._speedups`` instead of the installed one.)

    .venv/bin/python benchmarks/fuzz_speedups.py [--seconds 300] [--engine hypothesis|atheris]
"""

from __future__ import annotations

import argparse
import importlib.machinery
import importlib.util
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def load_speedups_override() -> None:
    """Put the extension at $SPEEDUPS_SO in place of the installed one, before taosha imports it."""
    path = os.environ.get("SPEEDUPS_SO")
    if not path:
        return
    loader = importlib.machinery.ExtensionFileLoader("taosha._speedups", path)
    spec = importlib.util.spec_from_file_location("taosha._speedups", path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    sys.modules["taosha._speedups"] = module
    print(f"taosha._speedups from {path}", flush=True)


def run_hypothesis(seconds: float) -> int:
    from hypothesis import HealthCheck, given, settings
    from test_speedups import check_text, fuzz_texts

    @settings(max_examples=2_000, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(fuzz_texts(max_repeat=50_000))
    def prop(text: str) -> None:
        check_text(text)

    rounds = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        prop()  # raises (after shrinking) on the first text that differs
        rounds += 1
        print(f"  {rounds * 2_000:,} texts, no difference", flush=True)
    return rounds * 2_000


def run_atheris(seconds: float) -> None:
    import atheris
    from test_speedups import check_text

    # Only this function is instrumented: instrument_imports() on the test module also instrumented
    # pytest, pygments ... and the process grew past libFuzzer's 2 GB RSS limit within minutes.
    @atheris.instrument_func
    def one(data: bytes) -> None:
        fdp = atheris.FuzzedDataProvider(data)
        repeat = 1 + fdp.ConsumeIntInRange(0, 255) ** 2  # 1 .. 65,026 copies
        text = fdp.ConsumeUnicode(fdp.remaining_bytes())
        check_text(text * repeat if len(text) * repeat <= 200_000 else text)

    atheris.Setup([sys.argv[0], f"-max_total_time={int(seconds)}", "-max_len=4096"], one)
    atheris.Fuzz()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--engine", choices=("hypothesis", "atheris"), default="hypothesis")
    args = parser.parse_args()
    load_speedups_override()
    sys.path[:0] = [str(REPO / "tests"), str(REPO / "tests" / "filters")]
    from taosha.filters import charclass

    if not charclass.KERNEL:
        raise SystemExit("taosha._speedups is not loaded (not built, or TAOSHA_PURE_PYTHON=1)")
    start = time.monotonic()
    if args.engine == "atheris":
        run_atheris(args.seconds)
    else:
        n = run_hypothesis(args.seconds)
        print(f"hypothesis: {n:,} texts in {time.monotonic() - start:.0f} s, kernel = reference on all")


if __name__ == "__main__":
    main()
