"""GraphiQL served from the package itself, so it works without internet.

The browser builds of graphiql, react and react-dom (the versions strawberry's own GraphiQL
page references, byte-identical to the npm tarballs; see VENDORED.md) live in static/, each
with its package's LICENSE, and are served under STATIC_PREFIX. page.html references them.
"""
from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC_DIR = HERE / "static"
STATIC_PREFIX = "/graphiql/static"


def page_html(static_prefix: str = STATIC_PREFIX) -> str:
    """The GraphiQL page, its asset links pointing at static_prefix."""
    return (HERE / "page.html").read_text(encoding="utf-8").replace("{{STATIC}}", static_prefix.rstrip("/"))
