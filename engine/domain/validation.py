"""Field checks shared by the command handlers. Each appends UserErrors; none raises."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from . import limits
from .currencies import CURRENCY_CODES
from .errors import Code, UserError, err

Path = tuple[object, ...]


def key(errors: list[UserError], value: str, path: Path, what: str = "value") -> None:
    if not value or not value.strip():
        errors.append(err(Code.INVALID, f"{what} must not be empty", *path))
    elif len(value.encode()) > limits.key_chars_max:
        errors.append(err(Code.LIMIT_EXCEEDED, f"{what} is longer than {limits.key_chars_max} bytes of UTF-8", *path))
    elif value != value.strip():
        errors.append(err(Code.INVALID, f"{what} must not start or end with spaces", *path))
    elif not value.isprintable():
        errors.append(err(Code.INVALID, f"{what} must not contain control characters", *path))


def text(errors: list[UserError], value: str | None, path: Path, *, required: bool = False) -> None:
    if value is None:
        if required:
            errors.append(err(Code.INVALID, "required", *path))
        return
    if required and not value.strip():
        errors.append(err(Code.INVALID, "must not be empty", *path))
    if len(value) > limits.text_chars_max:
        errors.append(err(Code.LIMIT_EXCEEDED, f"longer than {limits.text_chars_max} characters", *path))


def quantity(errors: list[UserError], value: int, path: Path, *, allow_zero: bool = False) -> bool:
    low = 0 if allow_zero else 1
    if value < low:
        errors.append(err(Code.INVALID, f"quantity must be {'>= 0' if allow_zero else '> 0'}", *path))
        return False
    if value > limits.quantity_max:
        errors.append(err(Code.LIMIT_EXCEEDED, f"quantity above {limits.quantity_max}", *path))
        return False
    return True


def money(errors: list[UserError], value: Any, path: Path) -> Decimal | None:
    amount, problem = _amount(str(value))
    if problem is not None:
        errors.append(err(*problem, *path))
    return amount


@lru_cache(maxsize=4096)
def _amount(text: str) -> tuple[Decimal | None, tuple[Code, str] | None]:
    """A money text read once: prices repeat on every line of a sku (Decimal is immutable)."""
    try:
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        return None, (Code.INVALID, "not a decimal amount")
    if not amount.is_finite() or amount < 0:
        return None, (Code.INVALID, "amount must be a finite number >= 0")
    if amount >= limits.money_max or -amount.as_tuple().exponent > limits.money_decimals_max:
        return None, (Code.LIMIT_EXCEEDED, f"amount must be below {limits.money_max} with at most {limits.money_decimals_max} decimals")
    return amount, None


def currency(errors: list[UserError], value: str, path: Path) -> None:
    if value not in CURRENCY_CODES:
        errors.append(err(Code.INVALID, f"{value[:8]!r} is not an ISO 4217 currency code", *path))


def address(errors: list[UserError], value: dict | None, path: Path) -> None:
    if value is None:
        return
    country = value.get("country") or ""
    if len(country) != 2 or not country.isalpha() or not country.isupper():
        errors.append(err(Code.INVALID, "country must be an ISO 3166 alpha-2 code such as US", *path, "country"))
    for name in ("name", "line1", "line2", "city", "region", "postalCode"):
        text(errors, value.get(name), (*path, name))
    lat, lon = value.get("latitude"), value.get("longitude")
    if (lat is None) != (lon is None):
        errors.append(err(Code.INVALID, "give both latitude and longitude, or neither", *path, "latitude"))
    if lat is not None and not -90 <= lat <= 90:
        errors.append(err(Code.INVALID, "latitude must be within -90..90", *path, "latitude"))
    if lon is not None and not -180 <= lon <= 180:
        errors.append(err(Code.INVALID, "longitude must be within -180..180", *path, "longitude"))


def email(errors: list[UserError], value: str, path: Path) -> None:
    local, at, domain = value.partition("@")
    if not at or not local or "." not in domain or " " in value or not value.isprintable():
        errors.append(err(Code.INVALID, "not an email address", *path))
    elif len(value.encode()) > 254:
        errors.append(err(Code.LIMIT_EXCEEDED, "email longer than 254 bytes", *path))


def receipt_lines(errors: list[UserError], document: list[dict], skus: list[str], what: str) -> list[tuple[int, dict]]:
    """(index, document line) for each received sku that is on the document, each once;
    errors for the others, under `lines`."""
    by_sku = {line["sku"]: line for line in document}
    if not skus:
        errors.append(err(Code.INVALID, "receive at least one line", "lines"))
    found, seen = [], set()
    for j, sku in enumerate(skus):
        line = by_sku.get(sku)
        if line is None:
            errors.append(err(Code.INVALID, f"{sku[:limits.key_chars_max]} is not on this {what}", "lines", j, "sku"))
        elif sku in seen:
            errors.append(err(Code.DUPLICATE, f"{sku} appears twice", "lines", j, "sku"))
        else:
            found.append((j, line))
        seen.add(sku)
    return found


def count(errors: list[UserError], items: list, maximum: int, path: Path, what: str) -> bool:
    if len(items) > maximum:
        errors.append(err(Code.LIMIT_EXCEEDED, f"at most {maximum} {what}", *path))
        return False
    return True


def status_allows(errors: list[UserError], record: dict | None, noun: str, allowed: tuple[str, ...], action: str) -> None:
    """NOT_FOUND without a record; INVALID_STATE when `action` cannot start from its status (both on ["id"])."""
    if record is None:
        errors.append(err(Code.NOT_FOUND, f"no {noun} with this id", "id"))
    elif record["status"] not in allowed:
        errors.append(err(Code.INVALID_STATE, f"cannot {action} a {record['status']} {noun}", "id"))
