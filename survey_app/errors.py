"""Friendly error pages: a resident never sees a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, render_template
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import HTTPException

from .extensions import db

log = logging.getLogger(__name__)

TITLES = {
    400: "Sorry, there is a problem with that request",
    404: "Page not found",
    405: "Sorry, there is a problem with that request",
    413: "Your answer is too long to send",
    429: "Too many requests",
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):  # type: ignore[no-untyped-def]
        code = error.code or 500
        if code >= 500:
            return _server_error(error)
        return render_template(
            "errors/error.html", code=code, title=TITLES.get(code, TITLES[400])
        ), code

    @app.errorhandler(SQLAlchemyError)
    def database_error(error: SQLAlchemyError):  # type: ignore[no-untyped-def]
        db.session.rollback()
        log.warning("database unavailable: %s", type(error).__name__)
        return render_template("public/try_again.html"), 503

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):  # type: ignore[no-untyped-def]
        return _server_error(error)


def _server_error(error: Exception):  # type: ignore[no-untyped-def]
    log.error("unhandled error", exc_info=error)
    return render_template(
        "errors/error.html", code=500, title="Sorry, there is a problem with the service"
    ), 500
