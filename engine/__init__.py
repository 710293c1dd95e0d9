"""The OMS engine: the domain and all its state. Imports nothing from api/."""
from .engine import Engine
from .migration import FormatError

__all__ = ["Engine", "FormatError"]
