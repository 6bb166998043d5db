"""``taosha train-quality``: train the ``quality_model`` step's classifier from your own examples.

Registered on the ``taosha`` command group by :mod:`taosha.cli`; the training itself is
:func:`taosha.filters.quality_model.train_quality` (imported only when the command runs).
"""

from __future__ import annotations

import json

import click


@click.command("train-quality")
@click.option("-p", "--positive", "positive", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSONL (.jsonl, .jsonl.gz, .jsonl.zst) or .txt file of good examples; repeatable.")
@click.option("-n", "--negative", "negative", multiple=True, required=True, type=click.Path(exists=True, dir_okay=False),
              help="JSONL or .txt file of bad examples; repeatable.")
@click.option("-o", "--out", required=True, type=click.Path(dir_okay=False), help="Model file to write (.npz).")
@click.option("--text-field", default="text", show_default=True, help="JSON field holding the text.")
@click.option("--ngrams", default="1,2,3", show_default=True, help="Character n-gram orders, comma-separated (1-5).")
@click.option("--bits", default=18, show_default=True, type=click.IntRange(10, 24), help="Hash buckets: 2**bits.")
@click.option("--epochs", default=4, show_default=True, type=click.IntRange(1, 100))
@click.option("--learning-rate", default=0.02, show_default=True, type=float)
@click.option("--l2", default=1e-6, show_default=True, type=float, help="L2 regularisation.")
@click.option("--holdout", default=0.1, show_default=True, type=click.FloatRange(0, 1, max_open=True),
              help="Share of each class kept out of training to measure the model.")
@click.option("--max-per-class", default=None, type=click.IntRange(1), help="Read at most this many examples per class.")
@click.option("--seed", default=0, show_default=True, type=int)
def train_quality_command(positive: tuple[str, ...], negative: tuple[str, ...], out: str, text_field: str,
                          ngrams: str, bits: int, epochs: int, learning_rate: float, l2: float, holdout: float,
                          max_per_class: int | None, seed: int) -> None:
    """Train a quality classifier (logistic regression on hashed character n-grams) from positive and
    negative examples, and write a model file for the `quality_model` step:

    \b
      taosha train-quality -p good.jsonl.gz -n spam.jsonl.gz -o quality.npz
      # recipe:  - quality_model: {model_path: quality.npz, min_value: 0.5}
    """
    from taosha.filters.quality_model import train_quality

    try:
        orders = tuple(int(x) for x in ngrams.split(",") if x.strip())
    except ValueError:
        raise click.BadParameter(f"{ngrams!r} is not a comma-separated list of integers", param_hint="--ngrams") from None
    try:
        header = train_quality(list(positive), list(negative), out, text_field=text_field, ngrams=orders, bits=bits,
                               epochs=epochs, learning_rate=learning_rate, l2=l2, holdout=holdout,
                               max_per_class=max_per_class, seed=seed)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    trained = header["trained_on"]
    click.echo(f"trained on {trained['n_positive']:,} positive and {trained['n_negative']:,} negative examples")
    click.echo(f"train:   {json.dumps(header['train'])}")
    if header["holdout"]:
        click.echo(f"holdout: {json.dumps(header['holdout'])}")
    click.echo(f"model written to {out}")
