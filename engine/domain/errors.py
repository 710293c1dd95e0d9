"""User errors: the contract's codes with a field path. Raised nowhere; returned."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Code(str, Enum):
    INVALID = "INVALID"
    NOT_FOUND = "NOT_FOUND"
    DUPLICATE = "DUPLICATE"
    INSUFFICIENT_STOCK = "INSUFFICIENT_STOCK"
    INVALID_STATE = "INVALID_STATE"
    FORBIDDEN = "FORBIDDEN"
    LIMIT_EXCEEDED = "LIMIT_EXCEEDED"
    CONFLICT = "CONFLICT"


@dataclass(frozen=True, slots=True)
class UserError:
    field: tuple[str, ...]
    message: str
    code: Code


def err(code: Code, message: str, *field: object) -> UserError:
    return UserError(tuple(str(f) for f in field), message, code)


class CommitFailed(Exception):
    """The batch's LMDB commit failed; no command of it took effect."""
