"""Structured logs: one JSON object per line, never holding what residents said or who they are.

Request lines carry method, route, status and duration only: no query string (channel links may
carry campaign tags), no address, no user agent, no cookie.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import time

from flask import Flask, g, request
from werkzeug.wrappers import Response

# Candidates for an IPv4 or IPv6 address; each is checked by the ipaddress module before it
# is replaced, so times and version numbers are left alone.
_ADDRESS_LIKE = re.compile(r"[0-9A-Fa-f]*[:.][0-9A-Fa-f:.]*[0-9A-Fa-f]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _address_or_text(match: re.Match[str]) -> str:
    text = match.group(0)
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return text
    return "[address]"


def without_addresses(text: str) -> str:
    """The text with network addresses and email addresses replaced."""
    return _ADDRESS_LIKE.sub(_address_or_text, _EMAIL.sub("[email]", text))


class AddressFreeFilter(logging.Filter):
    """Keeps the README's promise that no address reaches the logs, whoever writes the line:
    Flask-Limiter names the client it limited, gunicorn the client of a bad request."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = without_addresses(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = without_addresses(record.exc_text)
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_text:
            entry["error"] = record.exc_text
        elif record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(AddressFreeFilter())
    root = logging.getLogger()
    if not any(getattr(h, "_safermk", False) for h in root.handlers):
        # A mark that this handler is the service's, so a second app adds no second one; a
        # Handler declares no such attribute.
        handler._safermk = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(logging.INFO)
    # Werkzeug's own access log prints the full URL and address; ours replaces it.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)

    request_log = logging.getLogger("safermk.requests")

    @app.before_request
    def _start_timer() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def _log_request(response: Response) -> Response:
        started = g.get("request_started")
        duration_ms = round((time.perf_counter() - started) * 1000, 1) if started else None
        request_log.info(
            "request",
            extra={
                "fields": {
                    "method": request.method,
                    "route": request.url_rule.rule if request.url_rule else "(unmatched)",
                    "status": response.status_code,
                    "duration_ms": duration_ms,
                }
            },
        )
        return response
