"""``taosha inspect`` and ``taosha report``: registered by :mod:`taosha.cli` when this module imports."""

from __future__ import annotations

import functools
import gzip
import itertools
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click
import orjson

from taosha.document import Document
from taosha.errors import InputError
from taosha.io.zstd import open_zstd

if TYPE_CHECKING:
    from taosha.recipe import Recipe


def handle_errors(fn: Any) -> Any:
    """:func:`taosha.cli.handle_errors`, imported when called: ``taosha.cli`` imports this module."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from taosha.cli import handle_errors as handle

        return handle(fn)(*args, **kwargs)

    return wrapper


JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".jsonl.zst", ".ndjson", ".json")


def _open(path: str) -> IO[bytes]:
    if path == "-":
        return sys.stdin.buffer
    if not Path(path).is_file():
        raise InputError(f"{path}: no such file")
    if path.endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    if path.endswith(".zst"):
        return open_zstd(open(path, "rb"))
    return open(path, "rb")


def read_document(source: str, line: int | None, text_field: str, id_field: str) -> Document:
    """One document: the whole of a text file (or stdin), or line ``line`` (1-based) of JSON Lines."""
    name = "stdin" if source == "-" else source
    if line is None and source != "-" and source.endswith(JSONL_SUFFIXES):
        line = 1
    with _open(source) as fh:
        if line is None:
            data = fh.read()
            try:
                text = data.decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InputError(f"{name}: not UTF-8 ({exc})") from None
            return Document(Path(name).name if source != "-" else "stdin", text, {})
        raw = next(itertools.islice(fh, line - 1, None), None)
    if raw is None:
        raise InputError(f"{name}: has fewer than {line} lines")
    try:
        record = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{name}:{line}: not JSON ({exc})") from None
    if not isinstance(record, dict):
        raise InputError(f"{name}:{line}: not a JSON object")
    text = record.pop(text_field, None)
    if not isinstance(text, str):
        fields = ", ".join(sorted(record)[:10])
        raise InputError(f"{name}:{line}: no string field {text_field!r} (fields: {fields}); use --text-field")
    doc_id = record.pop(id_field, None)
    return Document(str(doc_id) if doc_id is not None else f"{name}:{line}", text, record)


def recipe_from_run(out: Path) -> Recipe:
    """The recipe a finished run used, from ``OUT/manifest.json`` (so inspect judges as the run did)."""
    from taosha.recipe import parse_recipe

    path = out / "manifest.json"
    if not path.is_file():
        raise InputError(f"{out} holds no finished run (no manifest.json)")
    data = orjson.loads(path.read_bytes())["recipe"]
    steps = [
        {params["step"]: {k: v for k, v in params.items() if k != "step"}}
        for item in data["steps"]
        for params in item.values()
    ]
    body = {k: data[k] for k in ("name", "description", "input", "output") if k in data}
    return parse_recipe({**body, "steps": steps}, where=str(path))


def find_run_document(out: Path, doc_id: str, recipe: Recipe) -> Document:
    """The document ``doc_id`` as the run in ``out`` read it: its inputs (from the manifest) through
    the same readers and settings, so ids (``file:line`` when records have none) match the run's."""
    from taosha.io.files import InputFile
    from taosha.io.readers import Quarantined, ShardReader, plan_shards

    manifest = orjson.loads((out / "manifest.json").read_bytes())
    files = [InputFile(f["path"], f["rel"], f["size"]) for f in manifest.get("inputs", [])]
    missing = [f.path for f in files if "://" not in f.path and not Path(f.path).exists()]
    if missing:
        raise InputError(f"the run's input {missing[0]} is gone; inspect the document from a file instead")
    for shard in plan_shards(files, recipe.input):
        for item in ShardReader(shard, recipe.input):
            if not isinstance(item, Quarantined) and item.id == doc_id:
                return item
    raise InputError(f"no document {doc_id!r} in the inputs of the run in {out}")


@click.command("inspect")
@click.argument("source", default="-", metavar="[FILE]")
@click.option("-r", "--recipe", "recipe_spec", default=None, help="Built-in recipe name or YAML file [default: zh-web].")
@click.option("--run", "run_dir", default=None, type=click.Path(file_okay=False, exists=True),
              help="Use the recipe of the finished run in this output directory (its manifest.json).")
@click.option("--id", "doc_id", default=None,
              help="With --run: inspect the input document with this id (as the report's samples name it).")
@click.option("-n", "--line", type=click.IntRange(1), default=None,
              help="Read line N (1-based) of a JSON Lines file or stdin [default for *.jsonl: 1].")
@click.option("--text-field", default=None, help="JSON field holding the text [recipe default: text].")
@click.option("--id-field", default=None, help="JSON field holding the id [recipe default: id].")
@click.option("--json", "as_json", is_flag=True, help="Print the step-by-step result as JSON.")
@click.option("--all-signals", is_flag=True, help="Also show scores that have no threshold.")
@click.option("--color/--no-color", default=None, help="Colour the terminal view [default: when a terminal].")
@handle_errors
def inspect_command(source: str, recipe_spec: str | None, run_dir: str | None, doc_id: str | None,
                    line: int | None, text_field: str | None,
                    id_field: str | None, as_json: bool, all_signals: bool, color: bool | None) -> None:
    """Run the recipe on one document (FILE, a JSONL line with --line, or stdin) and show what each
    step did: text diffs, removed lines with reasons, scores against thresholds, PII, the verdict."""
    from taosha.recipe import load_recipe
    from taosha.report.inspect import inspect_document, render_text

    if run_dir and recipe_spec:
        raise click.UsageError("give --recipe or --run, not both")
    recipe = recipe_from_run(Path(run_dir)) if run_dir else load_recipe(recipe_spec)
    if doc_id is not None:
        if not run_dir or source != "-" or line is not None:
            raise click.UsageError("--id needs --run OUT and no FILE or --line")
        doc = find_run_document(Path(run_dir), doc_id, recipe)
    else:
        doc = read_document(source, line, text_field or recipe.input.text_field, id_field or recipe.input.id_field)
    result = inspect_document(recipe, doc)
    if as_json:
        click.echo(orjson.dumps(result, option=orjson.OPT_INDENT_2, default=str).decode())
        return
    use_color = sys.stdout.isatty() if color is None else color
    click.echo(render_text(result, color=use_color, all_signals=all_signals), color=use_color)


@click.command("report")
@click.argument("out", type=click.Path(file_okay=False, exists=True))
@handle_errors
def report_command(out: str) -> None:
    """Write OUT/report.html for the finished run in OUT (one self-contained page)."""
    from taosha.report.html import write_report

    path = write_report(Path(out), strict=True)
    click.echo(f"report: {path}")
