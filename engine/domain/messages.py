"""What the outbox holds, as vocabulary: its kinds, email subjects, the webhook URL rule."""
from __future__ import annotations

from urllib.parse import urlsplit

from . import limits

EMAIL, WEBHOOK = b"E", b"W"  # outbox kinds
SUBJECTS = {
    "order_confirmation": "Order {number} confirmed",
    "dispatch": "Order {number} is on its way",
    "return_update": "Return {return_number}: {return_status}",
}


class _Blank(dict):
    """Missing subject fields read as empty rather than failing the command."""

    def __missing__(self, key: str) -> str:
        return ""


def url_problem(url: object) -> str | None:
    if not isinstance(url, str) or len(url) > limits.url_chars_max:
        return f"a URL of at most {limits.url_chars_max} characters"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "an http or https URL with a host"
    return None


def subject(template: str, context: dict) -> str:
    return SUBJECTS[template].format_map(_Blank(context))
