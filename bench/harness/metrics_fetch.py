"""GET /metrics of the server under test, for the figures taken around a run's load."""
from __future__ import annotations

import aiohttp

metrics_timeout_s = 10.0


async def fetch_metrics(base_url: str, token: str) -> tuple[str | None, str]:
    """(GET /metrics text, or None, and why not)."""
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=metrics_timeout_s)) as session:
            async with session.get(f"{base_url}/metrics", headers={"Authorization": f"Bearer {token}"}) as response:
                status, text = response.status, await response.text()
    except (aiohttp.ClientError, TimeoutError, OSError) as exc:
        return None, f"not available ({type(exc).__name__})"
    if status == 404:
        return None, "not available"
    if status != 200:
        return None, f"not available (HTTP {status})"
    return text, ""
