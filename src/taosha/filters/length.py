"""``length_filter``: document length in characters (not whitespace "words", which mean nothing in
Chinese), counting every character except whitespace.

Drops below ``min_chars`` (reason ``too_short``) and above ``max_chars`` (``too_long``).  The
default minimum of 20 characters removes Weibo one-liners such as 「转发微博」 and 「顶」 and
title-only Wikipedia stubs while keeping a two-sentence Chinese paragraph; see
benchmarks/RESULTS.md for the keep rates on ../shared/data.
"""

from __future__ import annotations

from dataclasses import dataclass

from taosha.document import Document
from taosha.step import Drop, Filter


@dataclass(frozen=True, kw_only=True)
class LengthFilter(Filter):
    name = "length_filter"

    min_chars: int = 20
    max_chars: int | None = 1_000_000

    def __post_init__(self) -> None:
        if self.min_chars < 0 or (self.max_chars is not None and self.max_chars < self.min_chars):
            raise ValueError("need 0 <= min_chars <= max_chars")

    def keep(self, doc: Document) -> bool | Drop:
        text = doc.text
        n = len(text) - sum(map(text.count, (" ", "\n", "\t", "\u3000")))
        if n < self.min_chars:
            return Drop("too_short", f"{n} < {self.min_chars} chars")
        if self.max_chars is not None and n > self.max_chars:
            return Drop("too_long", f"{n} > {self.max_chars} chars")
        return True
