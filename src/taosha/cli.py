"""The ``taosha`` command: parses, calls the library, prints.  Exit codes: 0 success, 1 failed run,
2 bad usage, recipe or input path.  Errors are one line; ``--debug`` shows the traceback."""

from __future__ import annotations

import functools
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from taosha import __version__
from taosha.errors import TaoshaError

# Set before NumPy is first imported (taosha and taosha.errors do not import it).  taosha's NumPy
# work is element-wise and never uses BLAS, whose thread pool would only make the driver
# multi-threaded, and a multi-threaded driver cannot fork its workers warm (taosha.engines.local).
# A caller's own setting wins.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

log = logging.getLogger("taosha")


def _setup_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s taosha %(message)s", "%H:%M:%S"))
    root = logging.getLogger("taosha")
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # trafilatura logs an ERROR for every page it cannot parse; those pages are handled (fallback or
    # quarantine), so its messages are noise on the terminal.
    logging.getLogger("trafilatura").setLevel(logging.DEBUG if debug else logging.CRITICAL)


def handle_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """One clear line and the right exit code for taosha's errors; a traceback only with --debug."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return fn(*args, **kwargs)
        except TaoshaError as exc:
            if debug:
                raise
            click.echo(f"taosha: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("taosha: interrupted; rerun the same command to resume", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="taosha")
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
def main(debug: bool) -> None:
    """taosha (淘沙): refine raw Chinese web text into clean, deduplicated, privacy-safe corpora."""
    _setup_logging(debug)


def _split_recipe(args: tuple[str, ...]) -> tuple[str | None, list[str]]:
    """``RECIPE`` is optional and positional; shells expand ``-i dir/*.gz`` into extra positionals."""
    from taosha.recipe import builtin_recipes

    if args and (args[0] in builtin_recipes() or args[0].endswith((".yaml", ".yml"))):
        return args[0], list(args[1:])
    return None, list(args)


@main.command("run")
@click.argument("args", nargs=-1, metavar="[RECIPE] [INPUT...]")
@click.option("-i", "--input", "inputs", multiple=True, help="Input file, directory or glob (repeatable; s3:// etc. via fsspec).")
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option("-w", "--workers", type=click.IntRange(1, 1024), default=None, help="Worker processes [default: all cores].")
@click.option("--engine", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", default=None, help="Ray cluster address (with --engine ray).")
@click.option("--fresh", is_flag=True, help="Discard a previous (partial) run in OUT and start over.")
@click.option("--format", "input_format", type=click.Choice(["auto", "jsonl", "parquet", "txt", "warc", "html"]), default=None,
              help="Input format [default: by file extension; txt and html = one document per file].")
@click.option("--text-field", default=None, help="JSON field holding the text [recipe default: text].")
@click.option("--id-field", default=None, help="JSON field holding the id [recipe default: id; else file:line].")
@click.option("--output-format", type=click.Choice(["jsonl.gz", "jsonl.zst", "jsonl", "parquet"]), default=None)
@click.option("--removed", type=click.Choice(["full", "counts"]), default=None,
              help="Write removed documents in full, or only count them.")
@click.option("-q", "--quiet", is_flag=True, help="No progress output.")
@handle_errors
def run_cmd(args: tuple[str, ...], inputs: tuple[str, ...], out: str, workers: int | None, engine: str,
            address: str | None, fresh: bool, input_format: str | None, text_field: str | None,
            id_field: str | None, output_format: str | None, removed: str | None, quiet: bool) -> None:
    """Run RECIPE (a built-in name or a YAML file; default zh-web) over the inputs into OUT."""
    from taosha.errors import InputError
    from taosha.recipe import load_recipe
    from taosha.run import make_progress, run

    recipe_spec, extra_inputs = _split_recipe(args)
    all_inputs = list(inputs) + extra_inputs
    if not all_inputs:
        raise InputError("no input given: use -i INPUT (a file, directory or glob)")
    overrides = {
        key: value
        for key, value in {
            "input.format": input_format, "input.text_field": text_field, "input.id_field": id_field,
            "output.format": output_format, "output.removed": removed,
        }.items()
        if value is not None
    }
    recipe = load_recipe(recipe_spec, overrides)
    stats = run(recipe, all_inputs, out, workers=workers, engine=engine, address=address, fresh=fresh,
                progress=make_progress(quiet), argv=sys.argv)
    if not quiet:
        _print_summary(Path(out), stats.to_json())


def _print_summary(out: Path, stats: dict[str, Any]) -> None:
    d = stats["documents"]
    click.echo(
        f"documents: {d['in']:,} in, {d['kept']:,} kept, {d['removed']:,} removed, {d['quarantined']:,} quarantined"
    )
    for label, step in stats["steps"].items():
        removed = ", ".join(f"{reason} {n:,}" for reason, n in step["removed"].items())
        changed = f"changed {step['changed']:,}" if step["changed"] else ""
        detail = "; ".join(x for x in (removed, changed) if x)
        if detail:
            click.echo(f"  {label:<20} {detail}")
    click.echo(f"output:   {out / 'data'}")
    click.echo(f"removed:  {out / 'removed'}")
    click.echo(f"stats:    {out / 'stats.json'}")
    if (out / "report.html").exists():
        click.echo(f"report:   {out / 'report.html'}")


@main.command("steps")
@click.argument("name", required=False)
@handle_errors
def steps_cmd(name: str | None) -> None:
    """List the steps of the catalog, or show one with its parameters."""
    import dataclasses
    import inspect

    from taosha.catalog import STEPS, step_class

    names = [name] if name else list(STEPS)
    for step_name in names:
        cls = step_class(step_name)
        own = cls.__doc__ or ""
        # A dataclass without a docstring gets its signature as one; the module docstring says more.
        doc = inspect.cleandoc(own) if own and not own.startswith(cls.__name__ + "(") else inspect.getdoc(sys.modules[cls.__module__]) or ""
        kind = next((b.__name__ for b in cls.__mro__[1:] if b.__module__ == "taosha.step"), "Step")
        click.echo(click.style(step_name, bold=True) + f"  ({kind})")
        if name:
            click.echo("  " + doc.replace("\n", "\n  "))
        else:
            click.echo("  " + (doc.splitlines()[0] if doc else ""))
        for f in dataclasses.fields(cls):
            if f.init:
                default = f.default if f.default is not dataclasses.MISSING else (
                    f.default_factory() if f.default_factory is not dataclasses.MISSING else "required"  # type: ignore[misc]
                )
                click.echo(f"    {f.name}: {f.type} = {default!r}")


@main.command("recipes")
@click.argument("name", required=False)
@handle_errors
def recipes_cmd(name: str | None) -> None:
    """List the built-in recipes, or print one as YAML."""
    from taosha.recipe import builtin_recipes, load_recipe

    if name:
        click.echo(load_recipe(name).to_yaml(), nl=False)
        return
    for recipe_name in builtin_recipes():
        recipe = load_recipe(recipe_name)
        click.echo(f"{recipe_name}: {recipe.description}")
        click.echo("  steps: " + " -> ".join(label for label, _ in recipe.steps))


@main.command("demo")
@click.option("-o", "--output", "out", default="taosha-demo", show_default=True, type=click.Path(file_okay=False),
              help="Directory for the generated corpus (input/) and the run (output/).")
@click.option("--docs", "n_docs", default=3000, show_default=True, type=click.IntRange(10, 1_000_000))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("-w", "--workers", type=click.IntRange(1, 1024), default=None)
@click.option("-q", "--quiet", is_flag=True)
@handle_errors
def demo_cmd(out: str, n_docs: int, seed: int, workers: int | None, quiet: bool) -> None:
    """Generate a raw Chinese web-like corpus and run the default recipe on it (no download)."""
    from taosha.demo.generator import write_corpus
    from taosha.run import make_progress, run

    base = Path(out)
    input_dir = base / "input"
    files = write_corpus(input_dir, n_docs=n_docs, seed=seed)
    click.echo(f"generated {n_docs:,} documents in {len(files)} files under {input_dir}")
    stats = run("zh-web", [str(input_dir)], base / "output", workers=workers, fresh=True,
                progress=make_progress(quiet), argv=sys.argv)
    _print_summary(base / "output", stats.to_json())
    from taosha.demo.generator import ANSWER_KEY
    from taosha.demo.scorecard import format_scorecard, scorecard_from_run

    click.echo("\nwhat became of the defects the generator planted:")
    click.echo(format_scorecard(scorecard_from_run(base / "output", answer_key=input_dir / ANSWER_KEY)))
    _demo_crawl(base, seed, workers, quiet)


def _demo_crawl(base: Path, seed: int, workers: int | None, quiet: bool) -> None:
    """The path from a crawl to a corpus: a generated WARC of Chinese pages in UTF-8, GBK and Big5."""
    from taosha.run import make_progress, run

    try:
        import fastwarc  # noqa: F401
        import trafilatura  # noqa: F401
    except ImportError:
        click.echo("\n(skipping the WARC part of the demo: install taosha[warc] for crawl ingestion)")
        return
    from taosha.demo.warc_sample import write_warc_sample

    warc = write_warc_sample(base / "crawl", n_pages=50, seed=seed)
    click.echo(f"\ngenerated a crawl of 50 pages (UTF-8, GBK, Big5; some with wrong charset headers): {warc}")
    stats = run("zh-web", [str(warc)], base / "crawl-output", workers=workers, fresh=True,
                progress=make_progress(quiet), argv=sys.argv)
    _print_summary(base / "crawl-output", stats.to_json())


def _register_optional_commands() -> None:
    """Commands that live beside the steps they drive."""
    import importlib

    for module_name, attr in (
        ("taosha.filters.quality_cli", "train_quality_command"),
        ("taosha.report.cli_commands", "inspect_command"),
        ("taosha.report.cli_commands", "report_command"),
    ):
        try:
            command = getattr(importlib.import_module(module_name), attr)
        except (ImportError, AttributeError):
            continue
        main.add_command(command)


_register_optional_commands()
