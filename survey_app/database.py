"""The database engine's settings, and which database errors mean "unavailable".

SQLite is made a safe embedded default (WAL, a busy timeout, foreign keys).

A lost or refused connection, a SQLite file locked past its busy timeout, or a connection pool
with none free is an outage: the resident gets a "try again" page with their answers kept
(errors.py and the public blueprint's handler). Any other database error is a bug and is shown
as one (a 500, logged), never dressed up as an outage.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeout)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets residents' saves and a report's reads go on at once; the busy timeout makes
        # a writer wait its turn instead of failing when two residents save together.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def rows_changed(result: Result[Any]) -> int:
    """How many rows an UPDATE or DELETE run by Session.execute changed. For those statements
    the session returns a CursorResult, which has the count, though it is declared as returning
    a Result."""
    return cast(CursorResult[Any], result).rowcount
