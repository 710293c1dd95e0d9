"""Global ids as the API shows them (base64url of 'Type:key'), for event payloads."""
from __future__ import annotations

import base64


def global_id(type_name: str, key: object) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{key}".encode()).decode().rstrip("=")
