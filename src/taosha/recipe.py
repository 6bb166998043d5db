"""Recipes: YAML -> validated :class:`Recipe` (settings plus a list of configured steps).

A recipe file looks like::

    name: my-recipe
    input:  {text_field: text, id_field: id}
    output: {format: jsonl.zst, max_file_size: 256MB, removed: full}
    steps:
      - unicode_cleanup: {}
      - length_filter: {min_chars: 20}
      - exact_dedup: {}

Everything is checked before any work starts: an unknown step, setting or parameter, or a value of
the wrong type, is a :class:`RecipeError` naming where it is and what was probably meant.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal, Union

import yaml

from taosha.catalog import step_class, suggest
from taosha.errors import RecipeError
from taosha.step import GlobalStep, Step

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]?i?B?)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}


def parse_size(value: int | str) -> int:
    """Bytes from ``1048576``, ``"64MB"``, ``"1.5 GiB"`` (binary multiples either way).

    >>> parse_size("64MB"), parse_size("1k"), parse_size(10)
    (67108864, 1024, 10)
    """
    if isinstance(value, bool):
        raise ValueError(f"not a size: {value!r}")
    if isinstance(value, int):
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"not a size: {value!r} (write e.g. 64MB)")
    unit = (match.group(2) or "").upper()[:1]
    return int(float(match.group(1)) * _UNITS[unit])


@dataclass(frozen=True, kw_only=True)
class InputSettings:
    """How records are read.  ``format: auto`` goes by file extension."""

    format: Literal["auto", "jsonl", "parquet", "txt", "warc", "html"] = "auto"
    text_field: str = "text"
    id_field: str = "id"
    max_record_size: int = 16 << 20
    shard_size: int = 64 << 20
    """At most this many bytes of JSON Lines per shard (compressed files: of decompressed text)."""
    min_shards: int = 1
    """Cut small inputs finer, down to 1 MiB per shard, so that more cores have work.  Off (1) by
    default: on the 11.5 MB benchmark corpus 16 shards cost 14 % more time than 6 (every shard and
    global step writes its own state files) and gained nothing on 2 cores."""


@dataclass(frozen=True, kw_only=True)
class OutputSettings:
    """How results are written.  ``removed: counts`` keeps only the counts of removed documents."""

    format: Literal["jsonl.gz", "jsonl.zst", "jsonl", "parquet"] = "jsonl.zst"
    """zstd by default: on the kept documents of the benchmark corpus (16.5 MB of JSONL) level 3
    took 0.07 CPU-s against gzip level 3's 0.19 s, and wrote 5.5 MB against 6.1 MB."""
    max_file_size: int = 256 << 20
    removed: Literal["full", "counts"] = "full"
    compression_level: int | None = None
    """gzip 1-9 (default 3: 2.2x faster than 6 for 5 % larger files) or zstd 1-22 (default 3)."""


_SIZE_FIELDS = {"max_record_size", "shard_size", "max_file_size"}


@dataclass(frozen=True)
class Recipe:
    name: str
    description: str = ""
    input: InputSettings = field(default_factory=InputSettings)
    output: OutputSettings = field(default_factory=OutputSettings)
    steps: tuple[tuple[str, Step], ...] = ()

    @property
    def stages(self) -> list[tuple[list[tuple[str, Step]], tuple[str, GlobalStep] | None]]:
        """The steps cut at each global step: ``[(per-document steps, closing global step)]``."""
        stages: list[tuple[list[tuple[str, Step]], tuple[str, GlobalStep] | None]] = []
        current: list[tuple[str, Step]] = []
        for label, step in self.steps:
            if isinstance(step, GlobalStep):
                stages.append((current, (label, step)))
                current = []
            else:
                current.append((label, step))
        stages.append((current, None))
        return stages

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "input": dataclasses.asdict(self.input),
            "output": dataclasses.asdict(self.output),
            "steps": [{label: {"step": step.name, **_jsonable(step.params())}} for label, step in self.steps],
        }

    def to_yaml(self) -> str:
        data = self.to_json()
        data["steps"] = [
            {next(iter(item)): {k: v for k, v in next(iter(item.values())).items() if k != "step"}}
            for item in data["steps"]
        ]
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def builtin_recipes() -> list[str]:
    return sorted(
        p.name.removesuffix(".yaml")
        for p in resources.files("taosha.recipes").iterdir()
        if p.name.endswith(".yaml")
    )


def load_recipe(spec: str | Path | None = None, overrides: dict[str, Any] | None = None) -> Recipe:
    """A recipe from a built-in name (default ``zh-web``) or a YAML path."""
    spec = "zh-web" if spec is None else spec
    path = Path(spec)
    if path.suffix in (".yaml", ".yml") or path.exists():
        if not path.is_file():
            raise RecipeError(f"recipe file {spec} does not exist")
        text = path.read_text(encoding="utf-8")
        where = str(path)
    else:
        names = builtin_recipes()
        if str(spec) not in names:
            raise RecipeError(f"no built-in recipe {spec!r}{suggest(str(spec), names)} (built-in: {', '.join(names)})")
        text = resources.files("taosha.recipes").joinpath(f"{spec}.yaml").read_text(encoding="utf-8")
        where = f"built-in recipe {spec}"
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise RecipeError(f"{where}: not valid YAML: {exc}") from None
    return parse_recipe(data, where=where, overrides=overrides)


def parse_recipe(data: Any, *, where: str = "recipe", overrides: dict[str, Any] | None = None) -> Recipe:
    if not isinstance(data, dict):
        raise RecipeError(f"{where}: a recipe is a mapping with a 'steps' list")
    known = {"name", "description", "input", "output", "steps"}
    for key in data:
        if key not in known:
            raise RecipeError(f"{where}: unknown key {key!r}{suggest(str(key), known)}")
    input_data = dict(data.get("input") or {})
    output_data = dict(data.get("output") or {})
    for key, value in (overrides or {}).items():
        section, _, name = key.partition(".")
        {"input": input_data, "output": output_data}[section][name] = value
    input_settings = build_dataclass(InputSettings, input_data, f"{where}: input")
    output_settings = build_dataclass(OutputSettings, output_data, f"{where}: output")
    raw_steps = data.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        raise RecipeError(f"{where}: 'steps' must be a non-empty list of `- step_name: {{params}}` items")
    steps: list[tuple[str, Step]] = []
    seen: dict[str, int] = {}
    for i, item in enumerate(raw_steps, 1):
        if isinstance(item, str):
            item = {item: {}}
        if not isinstance(item, dict) or len(item) != 1:
            raise RecipeError(f"{where}: steps item {i} must be a one-key mapping `step_name: {{params}}`")
        (name, params), = item.items()
        cls = _step_class_at(name, f"{where}: steps item {i}")
        seen[name] = seen.get(name, 0) + 1
        label = name if seen[name] == 1 else f"{name}_{seen[name]}"
        steps.append((label, build_dataclass(cls, params or {}, f"{where}: step {name} (item {i})")))
    return Recipe(
        name=str(data.get("name") or where),
        description=str(data.get("description") or ""),
        input=input_settings,
        output=output_settings,
        steps=tuple(steps),
    )


def _step_class_at(name: Any, where: str) -> type[Step]:
    try:
        return step_class(str(name))
    except RecipeError as exc:
        raise RecipeError(f"{where}: {exc}") from None


T = typing.TypeVar("T")


def build_dataclass(cls: type[T], params: Any, where: str) -> T:
    """Instantiate a keyword-only dataclass from recipe values, checking names and types."""
    if not isinstance(params, dict):
        raise RecipeError(f"{where}: parameters must be a mapping, got {type(params).__name__}")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls) if f.init}  # type: ignore[arg-type]
    values = {}
    for key, value in params.items():
        if key not in names:
            hint = suggest(str(key), names)
            accepted = f" (accepted: {', '.join(sorted(names))})" if names and not hint else ""
            raise RecipeError(f"{where}: unknown parameter {key!r}{hint}{accepted}")
        try:
            if key in _SIZE_FIELDS or key.endswith("_size"):
                value = parse_size(value)
            values[key] = coerce(value, hints[key])
        except (TypeError, ValueError) as exc:
            raise RecipeError(f"{where}: parameter {key!r}: {exc}") from None
    try:
        return cls(**values)
    except (TypeError, ValueError) as exc:
        raise RecipeError(f"{where}: {exc}") from None


def coerce(value: Any, hint: Any) -> Any:
    """Check ``value`` against a type hint; ints widen to floats and lists become tuples."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if hint is Any:
        return value
    if origin is Literal:
        if value not in args:
            raise ValueError(f"{value!r} is not one of {', '.join(map(repr, args))}{suggest(str(value), [str(a) for a in args])}")
        return value
    if origin in (Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return coerce(value, arg)
            except (TypeError, ValueError) as exc:
                errors.append(str(exc))
        raise ValueError("; ".join(errors))
    if origin in (list, tuple, frozenset, set):
        if not isinstance(value, (list, tuple)):
            raise ValueError(f"expected a list, got {value!r}")
        inner = args[0] if args else Any
        items = [coerce(v, inner) for v in value]
        return tuple(items) if origin in (tuple, list) else frozenset(items)
    if origin is dict:
        if not isinstance(value, dict):
            raise ValueError(f"expected a mapping, got {value!r}")
        kt, vt = args or (Any, Any)
        return {coerce(k, kt): coerce(v, vt) for k, v in value.items()}
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"expected a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ValueError(f"expected a string, got {value!r}")
        return value
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return build_dataclass(hint, value, "nested")
    if isinstance(hint, type) and not isinstance(value, hint):
        raise ValueError(f"expected {hint.__name__}, got {value!r}")
    return value
