"""Email over real SMTP: OMS_SMTP_URL (smtp://[user:password@]host:port, smtps:// for TLS)
and OMS_EMAIL_FROM; Jinja2 templates with plain-text and HTML parts."""
from __future__ import annotations

import os
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import unquote, urlsplit

import aiosmtplib
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from engine.domain.ids import global_id

TEMPLATES = Path(__file__).parent / "templates"
NO_SMTP = "no SMTP server configured: set OMS_SMTP_URL (the email is sent once one is)"
smtp_timeout_s = 30
_environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), undefined=StrictUndefined)
_lenient = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int
    tls: bool
    username: str | None
    password: str | None
    sender: str

    @classmethod
    def from_env(cls) -> "SmtpConfig | None":
        url = os.environ.get("OMS_SMTP_URL")
        if not url:
            return None
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("OMS_SMTP_URL must look like smtp://host:port or smtps://user:password@host:port")
        tls = parts.scheme == "smtps"
        return cls(parts.hostname, parts.port or (465 if tls else 25), tls,
                   unquote(parts.username) if parts.username else None, unquote(parts.password) if parts.password else None,
                   os.environ.get("OMS_EMAIL_FROM", "orders@localhost"))


def render(record: dict, sender: str) -> EmailMessage:
    """The message for an outbox email; its Message-ID depends only on the email's id."""
    context = record["context"]
    message = EmailMessage()
    message["From"] = sender
    message["To"] = record["to"]
    message["Subject"] = record["subject"]
    domain = sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = f"<oms-email-{record['seq']}@{domain}>"
    message["X-OMS-Email-Id"] = global_id("Email", record["seq"])
    message.set_content(_lenient.get_template(f"{record['template']}.txt").render(**context))
    message.add_alternative(_lenient.get_template(f"{record['template']}.html").render(**context), subtype="html")
    return message


async def send(config: SmtpConfig, record: dict) -> None:
    await aiosmtplib.send(
        render(record, config.sender), hostname=config.host, port=config.port, username=config.username,
        password=config.password, use_tls=config.tls, timeout=smtp_timeout_s,
    )
