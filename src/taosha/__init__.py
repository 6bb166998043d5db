"""taosha (淘沙): refine raw Chinese web text into clean, deduplicated, privacy-safe corpora."""

from taosha.document import Document
from taosha.errors import FatalError, InputError, RecipeError, ShardError, TaoshaError
from taosha.step import Context, Drop, Filter, GlobalStep, LineFilter, Mapper, ScoreFilter, Step

__version__ = "0.1.0"

__all__ = [
    "Context",
    "Document",
    "Drop",
    "FatalError",
    "Filter",
    "GlobalStep",
    "InputError",
    "LineFilter",
    "Mapper",
    "RecipeError",
    "ScoreFilter",
    "ShardError",
    "Step",
    "TaoshaError",
    "__version__",
]
