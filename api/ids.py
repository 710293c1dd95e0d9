"""Opaque global ids: base64url of 'Type:key'. Malformed ids decode to None."""
from __future__ import annotations

import base64
import binascii

from engine.domain.ids import global_id

id_chars_max = 1024  # base64 of a type name and a 128-character key of 4-byte characters


def encode(type_name: str, key: object) -> str:
    return global_id(type_name, key)


def decode(value: str, expected: str | None = None) -> tuple[str, str] | None:
    if not value or len(value) > id_chars_max:
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, sep, key = raw.partition(":")
    if not sep or not key or (expected is not None and type_name != expected):
        return None
    return type_name, key


def sequence(text: str, digits_max: int = 18) -> int | None:
    """The number that `text` spells in ASCII digits, or None. str.isdigit() alone is not enough:
    it accepts digits int() refuses ("²") and int() accepts what no key holds ("٣", " 1", "1_0")."""
    if not (0 < len(text) <= digits_max and text.isascii() and text.isdigit()):
        return None
    return int(text)


def decode_seq(value: str, expected: str) -> int | None:
    """The integer key of an id of type `expected`, or None."""
    decoded = decode(value, expected)
    return None if decoded is None else sequence(decoded[1])
