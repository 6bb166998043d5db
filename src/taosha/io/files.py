"""Finding input files and opening them, locally or through fsspec (``s3://``, ``gs://``, ...).

Local paths use the standard library; anything with a protocol goes through fsspec, which needs the
filesystem package for that protocol (s3fs, gcsfs, ...) installed by the user.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from taosha.errors import InputError

# Extensions a directory walk picks up; a file named explicitly is read whatever its name.
KNOWN_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".json", ".json.gz", ".json.zst", ".ndjson",
                  ".parquet", ".txt", ".warc", ".warc.gz", ".html", ".htm")


def is_remote(path: str) -> bool:
    return "://" in path and not path.startswith("file://")


@dataclass(frozen=True)
class InputFile:
    path: str
    """Absolute local path or fsspec URL."""
    rel: str
    """Name relative to the input root it was found under: used in ids and output names."""
    size: int


def _fs(path: str) -> Any:
    try:
        import fsspec
    except ImportError:  # pragma: no cover - fsspec is a core dependency
        raise InputError("reading remote paths needs fsspec") from None
    try:
        fs, _ = fsspec.core.url_to_fs(path)
    except (ImportError, ValueError) as exc:
        raise InputError(f"{path}: cannot open this filesystem ({exc}); install its fsspec package") from None
    return fs


def expand_inputs(inputs: list[str], *, suffixes: tuple[str, ...] = KNOWN_SUFFIXES) -> list[InputFile]:
    """Files, directories (walked for known suffixes) and globs -> a sorted, de-duplicated list."""
    found: dict[str, InputFile] = {}
    for spec in inputs:
        matched = _expand_remote(spec, suffixes) if is_remote(spec) else _expand_local(spec, suffixes)
        if not matched:
            raise InputError(f"input {spec}: no input files found there (looked for {', '.join(suffixes)})")
        for item in matched:
            found.setdefault(item.path, item)
    return sorted(found.values(), key=lambda f: (f.rel, f.path))


def _expand_local(spec: str, suffixes: tuple[str, ...]) -> list[InputFile]:
    spec = spec.removeprefix("file://")
    path = Path(spec)
    if path.is_file():
        return [InputFile(str(path.resolve()), path.name, path.stat().st_size)]
    if path.is_dir():
        root = path.resolve()
        files = sorted(p for p in root.rglob("*") if p.is_file() and p.name.endswith(suffixes) and not _hidden(p, root))
        return [InputFile(str(p), p.relative_to(root).as_posix(), p.stat().st_size) for p in files]
    if glob.has_magic(spec):
        base = Path(spec.split("*")[0].split("?")[0].split("[")[0]).parent
        files = sorted(Path(p) for p in glob.glob(spec, recursive=True) if os.path.isfile(p))
        return [InputFile(str(p.resolve()), _relative(p, base), p.stat().st_size) for p in files]
    raise InputError(f"input {spec}: no such file or directory")


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def _relative(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


def _expand_remote(spec: str, suffixes: tuple[str, ...]) -> list[InputFile]:
    fs = _fs(spec)
    protocol = spec.split("://", 1)[0]
    if glob.has_magic(spec):
        paths = sorted(fs.glob(spec))
        base = spec.split("*")[0].rsplit("/", 1)[0].split("://", 1)[-1]
    elif fs.isdir(spec):
        base = spec.split("://", 1)[-1].rstrip("/")
        paths = sorted(p for p in fs.find(spec) if p.endswith(suffixes))
    elif fs.exists(spec):
        paths = [spec.split("://", 1)[-1]]
        base = paths[0].rsplit("/", 1)[0]
    else:
        raise InputError(f"input {spec}: not found")
    return [
        InputFile(f"{protocol}://{p}", p[len(base):].lstrip("/") or p.rsplit("/", 1)[-1], int(fs.size(p) or 0))
        for p in paths
    ]


def open_binary(path: str) -> IO[bytes]:
    if is_remote(path):
        return _fs(path).open(path, "rb")  # type: ignore[no-any-return]
    return open(path, "rb")
