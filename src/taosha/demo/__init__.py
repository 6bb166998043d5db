"""The demo corpus behind ``taosha demo``: generated Chinese web-like text with planted defects.

See :mod:`taosha.demo.generator`.  Nothing here is imported by ``import taosha``.
"""

from taosha.demo.generator import generate_corpus, write_corpus, write_samples

__all__ = ["generate_corpus", "write_corpus", "write_samples"]
