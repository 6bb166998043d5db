"""``pii_redact``: replace (or drop documents with) the personal identifiers of :mod:`taosha.pii.detect`.

What is measured: identifiers found per type (counter ``pii:<TYPE>``, one per occurrence, whatever
the policy), identifiers left in place by a ``keep`` policy (``pii_kept:<TYPE>``) and documents
with at least one acted-on identifier (``docs_with_pii``).  Nothing is dropped unless a type's
policy is ``drop``; then the document is removed with reason code ``pii`` and the detail lists the
types that caused it.  The removed copy (written to ``removed/`` and sampled in the report) has its
identifiers replaced by placeholders first: a PII step must not leak what it found into the logs.

Policies, per type (``policy: {MOBILE: mask, EMAIL: keep}``; the others use ``default_policy``):

- ``placeholder`` (default): ``<MOBILE>``, ``<ID_CARD>`` ... one token per identifier;
- ``mask``: the same characters with every ASCII letter and digit replaced by ``*``
  (``138-****-****`` keeps its shape; an e-mail keeps its domain: ``*****@qq.com``; a plate keeps
  its province character);
- ``hash``: ``<MOBILE:1f3a9c02d4>``, a keyed BLAKE2b of the normalized value (digits without
  country code and separators; lower-case e-mail), so the same person gets the same pseudonym
  across the corpus in every format.  ``salt`` is the key and is required: an unsalted hash of a
  mobile number is reversed by trying all 10^10 numbers;
- ``drop``: remove the whole document;
- ``keep``: count only.  ``SERVICE_NUMBER`` (400/800 hotlines, almost always companies) defaults to
  ``keep``.

With ``spans: true`` the document gets ``meta["pii"]``: ``[{"type", "start", "end", "policy"}]`` in
offsets (characters) of the *output* text, so the replacements can be found or masked in training;
the raw values are never stored.

Why a :class:`~taosha.step.Step` with its own ``run`` and not a Mapper plus a Filter: the drop
policy must remove documents, which a Mapper may never do, and a separate filter would have to
scan every text a second time (or trust a flag left in ``meta`` by the mapper, which breaks when
someone reorders the recipe).  One step finds the identifiers once and either rewrites or removes,
with the same counting as the base classes (documents and characters in and out, changed, time).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal

from taosha.catalog import suggest
from taosha.document import Document
from taosha.pii.detect import TYPES, Match, find_pii
from taosha.step import Step, StepContext

POLICIES = ("placeholder", "mask", "hash", "drop", "keep")
DEFAULT_POLICIES = {"SERVICE_NUMBER": "keep"}
_MASKABLE = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                      "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19")


def mask(kind: str, raw: str) -> str:
    """``raw`` with its letters and digits starred, keeping separators (and an e-mail's domain).

    >>> mask("MOBILE", "+86 138-1234-5678"), mask("EMAIL", "zhang.san@qq.com"), mask("LICENSE_PLATE", "京A·12345")
    ('+** ***-****-****', '*****.***@qq.com', '京*·*****')
    """
    if kind == "EMAIL":
        local, _, domain = raw.partition("@")
        return mask("", local) + "@" + domain
    return "".join("*" if c in _MASKABLE else c for c in raw)


def pseudonym(kind: str, value: str, salt: str) -> str:
    """A stable pseudonym: ``<TYPE:hex10>``, a BLAKE2b keyed with ``salt`` over ``TYPE:value``.

    >>> pseudonym("MOBILE", "13812345678", "s3cret") == pseudonym("MOBILE", "13812345678", "s3cret")
    True
    >>> pseudonym("MOBILE", "13812345678", "s3cret") == pseudonym("MOBILE", "13812345678", "other")
    False
    """
    key = salt.encode("utf-8")
    if len(key) > 64:
        key = hashlib.sha256(key).digest()
    digest = hashlib.blake2b(f"{kind}:{value}".encode(), key=key, digest_size=5).hexdigest()
    return f"<{kind}:{digest}>"


@dataclass(frozen=True, kw_only=True)
class PiiRedact(Step):
    name = "pii_redact"

    default_policy: Literal["placeholder", "mask", "hash", "drop", "keep"] = "placeholder"
    policy: dict[str, str] = field(default_factory=dict)
    salt: str = ""
    spans: bool = False

    def __post_init__(self) -> None:
        for kind, value in self.policy.items():
            if kind not in TYPES:
                raise ValueError(f"unknown PII type {kind!r}{suggest(kind, TYPES)} (types: {', '.join(TYPES)})")
            if value not in POLICIES:
                raise ValueError(f"unknown policy {value!r} for {kind}{suggest(value, POLICIES)} (policies: {', '.join(POLICIES)})")
        if "hash" in self.policies().values() and not self.salt:
            raise ValueError("the hash policy needs a secret `salt` (an unsalted hash of a phone number is reversible)")

    def policies(self) -> dict[str, str]:
        """The policy in force for every type."""
        return {kind: self.policy.get(kind, DEFAULT_POLICIES.get(kind, self.default_policy)) for kind in TYPES}

    def redact(self, text: str, matches: list[Match], policies: dict[str, str]) -> tuple[str, list[dict[str, object]]]:
        """The text with every non-``keep`` match replaced, and the spans in the output text."""
        parts: list[str] = []
        spans: list[dict[str, object]] = []
        last = 0
        out_len = 0
        for m in matches:
            how = policies[m.type]
            if how == "keep":
                continue
            if how == "mask":
                new = mask(m.type, text[m.start:m.end])
            elif how == "hash":
                new = pseudonym(m.type, m.value, self.salt)
            else:
                new = f"<{m.type}>"
            before = text[last:m.start]
            parts.append(before)
            out_len += len(before)
            parts.append(new)
            spans.append({"type": m.type, "start": out_len, "end": out_len + len(new), "policy": how})
            out_len += len(new)
            last = m.end
        parts.append(text[last:])
        return "".join(parts), spans

    def run(self, docs: Iterable[Document], ctx: StepContext) -> Iterator[Document]:
        stats = ctx.stats
        counters = stats.counters
        clock = time.perf_counter
        policies = self.policies()
        for doc in docs:
            stats.docs_in += 1
            before = doc.text
            stats.chars_in += len(before)
            start = clock()
            matches = find_pii(before)
            dropping = sorted({m.type for m in matches if policies[m.type] == "drop"})
            if not dropping and matches:
                doc.text, spans = self.redact(before, matches, policies)
            else:
                spans = []
            stats.seconds += clock() - start
            acted = False
            for m in matches:
                if policies[m.type] == "keep":
                    counters[f"pii_kept:{m.type}"] += 1
                else:
                    counters[f"pii:{m.type}"] += 1
                    acted = True
            if acted:
                counters["docs_with_pii"] += 1
            if dropping:
                # what is removed is kept (removed/ output, report samples): never with the raw values
                doc.text = self.redact(before, matches, dict.fromkeys(TYPES, "placeholder"))[0]
                ctx.remove(doc, "pii", ",".join(dropping))
                continue
            if self.spans:
                doc.meta["pii"] = spans
            after = doc.text
            stats.docs_out += 1
            stats.chars_out += len(after)
            if after != before:
                stats.changed += 1
                if ctx.tracing:
                    ctx.note(doc, "changed", before=before, after=after, fixes=sorted({str(s["type"]) for s in spans}))
            yield doc
