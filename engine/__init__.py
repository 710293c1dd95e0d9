"""The OMS engine: the domain and all its state. Imports nothing from api/."""
from .engine import Engine

__all__ = ["Engine"]
