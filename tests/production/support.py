"""What the load and fault tests share: where the shared PostgreSQL server is, and answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..conftest import ADMIN_URL, BACKENDS, require_shared_postgres

__all__ = ["ADMIN_URL", "BACKENDS", "require_shared_postgres"]


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
