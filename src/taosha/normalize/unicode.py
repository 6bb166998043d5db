"""``unicode_cleanup``: the Unicode hygiene every corpus needs before anything else looks at it.

- NFC composition (not NFKC: NFKC folds full-width Chinese punctuation such as ，to ASCII and
  would break Chinese text; width folding is the Chinese normalizer's job, done selectively);
- C0/C1 control characters removed, except tab and newline; ``\\r\\n`` and lone ``\\r`` become ``\\n``;
- UTF-8 text decoded as Latin-1 (mojibake that carries C1 controls) is repaired first, since
  removing its controls would make it unrepairable; fix ``mojibake``;
- zero-width characters (U+200B..U+200D, U+2060, U+FEFF BOM anywhere in the text) removed.
  U+200D between emoji would be lost too; that is accepted for LM text.

Fixes recorded: ``nfc``, ``newlines``, ``mojibake``, ``control``, ``zero_width``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from taosha.document import Document
from taosha.step import Mapper
from taosha.text.debris import fix_mojibake

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_CONTROL = dict.fromkeys(
    [c for c in range(0x20) if c not in (0x09, 0x0A)] + [0x7F] + list(range(0x80, 0xA0))
)
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200d\u2060\ufeff]")
# Both classes in one, so that a clean text (nearly all) costs one scan instead of two.
_EITHER_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_C1_RE = re.compile("[\x80-\x9f]")


@dataclass(frozen=True, kw_only=True)
class UnicodeCleanup(Mapper):
    name = "unicode_cleanup"

    nfc: bool = True
    remove_control: bool = True
    remove_zero_width: bool = True

    def map_noted(self, doc: Document) -> tuple[Document, list[str]]:
        text = doc.text
        fixes = []
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            fixes.append("newlines")
        odd = _EITHER_RE.search(text) is not None
        if odd and self.remove_control and _CONTROL_RE.search(text):
            if _C1_RE.search(text):
                # UTF-8 read as Latin-1 carries C1 controls (测 -> "æµ\x8b"); removing them first
                # would make the mojibake unrepairable, so repair it here, before they go.
                repaired = fix_mojibake(text)
                if repaired != text:
                    text = repaired
                    fixes.append("mojibake")
            text = text.translate(_CONTROL)
            fixes.append("control")
        if odd and self.remove_zero_width and _ZERO_WIDTH_RE.search(text):
            text = text.translate(_ZERO_WIDTH)
            fixes.append("zero_width")
        if self.nfc and not text.isascii() and not unicodedata.is_normalized("NFC", text):
            text = unicodedata.normalize("NFC", text)
            fixes.append("nfc")
        doc.text = text
        return doc, fixes
