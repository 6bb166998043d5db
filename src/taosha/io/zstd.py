"""Reading zstd streams that say so when they end early.

``zstandard``'s ``stream_reader`` treats a stream cut in the middle of a frame as a normal end:
reading a half-written ``.jsonl.zst`` returns fewer lines and no error (measured with zstandard
0.25: a file cut in half gave back 32 % of its bytes, silently).  A run must never lose documents
without a reason, so every zstd stream taosha reads goes through :func:`open_zstd`, which decodes
frame by frame and raises :class:`EOFError`, as :mod:`gzip` does, when the last frame is incomplete.

>>> import zstandard
>>> data = zstandard.ZstdCompressor().compress(b"line 1\\nline 2\\n" * 1000)
>>> len(open_zstd(io.BytesIO(data + data)).read())
28000
>>> open_zstd(io.BytesIO(data[:-8])).read()
Traceback (most recent call last):
  ...
EOFError: zstd stream ends in the middle of a frame (compressed file truncated?)
"""

from __future__ import annotations

import io
from typing import IO, Any

CHUNK = 1 << 18


class _ZstdFrames(io.RawIOBase):
    """Decompressed bytes of one or more concatenated zstd frames read from ``raw``."""

    def __init__(self, raw: IO[bytes]):
        import zstandard

        self._raw = raw
        self._dctx = zstandard.ZstdDecompressor()
        self._frame: Any = None
        self._out = b""
        self._pos = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while self._pos >= len(self._out):
            if not self._fill():
                return 0
        n = min(len(buffer), len(self._out) - self._pos)
        buffer[:n] = self._out[self._pos:self._pos + n]
        self._pos += n
        return n

    def _fill(self) -> bool:
        """Decode more output; ``False`` at the clean end of the stream."""
        data = self._raw.read(CHUNK)
        if not data:
            if self._frame is not None and not self._frame.eof:
                raise EOFError("zstd stream ends in the middle of a frame (compressed file truncated?)")
            return False
        out = []
        while data:
            if self._frame is None:
                self._frame = self._dctx.decompressobj()
            out.append(self._frame.decompress(data))
            if self._frame.eof:
                # The next frame (if any) starts in what this one did not use.
                data = self._frame.unused_data
                self._frame = None
            else:
                data = b""
        self._out = b"".join(out)
        self._pos = 0
        return True


def open_zstd(raw: IO[bytes], buffer_size: int = 1 << 20) -> io.BufferedReader:
    """A buffered, line-iterable reader of the decompressed stream; raises :class:`EOFError` on a
    truncated stream and ``zstandard.ZstdError`` on a corrupt one."""
    return io.BufferedReader(_ZstdFrames(raw), buffer_size)
