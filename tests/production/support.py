"""What the load and fault tests share: where the shared PostgreSQL server is, and answers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

ADMIN_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = [b for b in os.environ.get("TEST_DATABASES", "sqlite,postgresql").split(",") if b]


def require_shared_postgres() -> None:
    """Fail (never skip) with a clear message when the shared PostgreSQL server is not there."""
    engine = create_engine(ADMIN_URL)
    try:
        with engine.connect() as connection:
            connection.execute(text("select 1"))
    except OperationalError as error:
        pytest.fail(
            f"PostgreSQL is not reachable at {ADMIN_URL}: start it (see README, 'Tests') or "
            f"set TEST_DATABASE_URL. ({error.orig})",
            pytrace=False,
        )
    finally:
        engine.dispose()


def normalised(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Lists of choices sorted: the app stores them in the questionnaire's order."""
    return {k: sorted(v) if isinstance(v, list) else v for k, v in answers.items()}


def stored_form(answers: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """Page-by-page form answers as a submitted response holds them (normalised): one
    mapping, the age as a whole number."""
    merged: dict[str, Any] = {}
    for page_answers in answers.values():
        merged.update(page_answers)
    merged["age"] = int(merged["age"])
    return normalised(merged)
