"""Friendly error pages: a resident never sees a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_limiter.errors import RateLimitExceeded
from werkzeug.exceptions import HTTPException

from .database import DATABASE_UNAVAILABLE
from .extensions import db

log = logging.getLogger(__name__)

# Every table's id is an INTEGER column, and PostgreSQL's integer stops here. Looking up a larger
# id does not find nothing: the database refuses it (a DataError on PostgreSQL, and past 2**63 - 1
# an OverflowError from SQLite's driver), which would be a 503 or a 500 instead of a 404.
LARGEST_ROW_ID = 2**31 - 1

TITLES = {
    400: _l("Sorry, there is a problem with that request"),
    404: _l("Page not found"),
    405: _l("Sorry, there is a problem with that request"),
    413: _l("Your answer is too long to send"),
    429: _l("Too many requests"),
    500: _l("Sorry, there is a problem with the service"),
}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> ResponseReturnValue:
        code = error.code or 500
        if code >= 500:
            return _server_error(error)
        # Keep the headers Werkzeug worked out for the error, such as a 405's Allow (which HTTP
        # requires) or a 429's Retry-After; only the body is replaced by the friendly page.
        headers = [
            (name, value) for name, value in error.get_headers() if name.lower() != "content-type"
        ] + retry_after(error)
        return (
            render_template("errors/error.html", code=code, title=TITLES.get(code, TITLES[400])),
            code,
            headers,
        )

    def database_unavailable(error: Exception) -> ResponseReturnValue:
        db.session.rollback()
        log.warning("database unavailable: %s", type(error).__name__)
        return render_template("public/try_again.html"), 503

    for unavailable in DATABASE_UNAVAILABLE:
        app.register_error_handler(unavailable, database_unavailable)

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception) -> ResponseReturnValue:
        return _server_error(error)


def retry_after(error: Exception) -> list[tuple[str, str]]:
    """A 429's Retry-After: the length of the limit's window, the longest the wait can be (known
    without asking the limiter's storage again)."""
    if isinstance(error, RateLimitExceeded):
        return [("Retry-After", str(error.limit.limit.get_expiry()))]
    return []


def row_id_or_404(value: int) -> int:
    """An id from a URL, for looking up its row; 404 for one no row can have, as for any id
    that finds nothing. Every lookup of an <int:...> URL part goes through here."""
    if value > LARGEST_ROW_ID:
        abort(404)
    return value


def parse_row_id(text: str | None) -> int | None:
    """An id chosen in a form, or None if the text is not one any row can have.

    ASCII digits only, since str.isdigit() also accepts characters such as '²' that int()
    refuses; the length is checked first, since int() refuses more than 4,300 digits."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > len(str(LARGEST_ROW_ID)):
        return None
    value = int(text)
    return value if value <= LARGEST_ROW_ID else None


def _server_error(error: Exception) -> tuple[str, int]:
    log.error("unhandled error", exc_info=error)
    # A failed statement leaves the session unusable, and drawing the page may read from it
    # (a signed-in member of staff's navigation).
    db.session.rollback()
    return render_template("errors/error.html", code=500, title=TITLES[500]), 500
