"""Structured logs: one JSON object per line, never holding what residents said or who they are.

Request lines carry method, route, status and duration only: no query string (channel links may
carry campaign tags), no address, no user agent, no cookie.
"""

from __future__ import annotations

import json
import logging
import time

from flask import Flask, g, request
from werkzeug.wrappers import Response


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry)


def configure_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    if not any(getattr(h, "_safermk", False) for h in root.handlers):
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
