"""The read side: short read transactions over what the writer committed."""
from .reader import Reader

__all__ = ["Reader"]
