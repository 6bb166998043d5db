"""taosha's errors.  The class says what the run does about it::

    TaoshaError
     ├── RecipeError      bad configuration; found before any work starts      (exit 2)
     ├── InputError       an input path that does not exist or matches nothing (exit 2)
     ├── FatalError       the run cannot go on (ledger mismatch, unwritable output) (exit 1)
     ├── ShardError       one shard failed; the others are finished and kept, a rerun retries it (exit 1)
     └── RetryableError   a passing fault (a remote filesystem hiccup); the engine retries the task

A malformed *record* is not an error at all: it is quarantined with its reason and the run goes on.
"""

from __future__ import annotations


class TaoshaError(Exception):
    """Base of every error taosha raises on purpose."""

    exit_code = 1


class RecipeError(TaoshaError):
    """The recipe or a step's parameters are wrong; reported before any work starts."""

    exit_code = 2


class InputError(TaoshaError):
    """An input path is missing, unreadable or matches no file."""

    exit_code = 2


class FatalError(TaoshaError):
    """The run cannot continue."""


class ShardError(TaoshaError):
    """One shard failed; finished shards are kept and a rerun redoes only the failed ones."""

    def __init__(self, shard: str, message: str):
        super().__init__(f"shard {shard}: {message}")
        self.shard = shard


class RetryableError(TaoshaError):
    """A transient failure worth another try."""
