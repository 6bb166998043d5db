"""unicode_cleanup's one look for control and zero-width characters decides as two looks did."""

from __future__ import annotations

from conftest import load_records

from taosha import Document
from taosha.normalize.unicode import _CONTROL, _ZERO_WIDTH, UnicodeCleanup


def test_zero_width_made_by_the_mojibake_repair_is_removed():
    # U+200B read as Latin-1 is "â\x80\x8b": its C1 controls trigger the repair, which yields U+200B
    text = "价格" + "\u200b".encode().decode("latin-1") + "元"
    doc, fixes = UnicodeCleanup().map_noted(Document("x", text))
    assert doc.text == "价格元" and fixes == ["mojibake", "control", "zero_width"]


def test_real_texts_as_control_then_zero_width_removal():
    step = UnicodeCleanup(nfc=False)
    seen = 0
    for name in ("weibo_checked_comments.jsonl.gz", "web_chinesewebtext_sample.jsonl.gz", "reviews_sophonplus.jsonl.gz"):
        for r in load_records(name, 3000):
            text = r["text"].replace("\r\n", "\n").replace("\r", "\n")
            if any("\x80" <= c <= "\x9f" for c in text):
                continue  # the mojibake repair has its own test
            expected = text.translate(_CONTROL).translate(_ZERO_WIDTH)
            doc, _ = step.map_noted(Document(r["id"], r["text"]))
            assert doc.text == expected
            seen += expected != r["text"]
    assert seen  # some texts had something to remove
