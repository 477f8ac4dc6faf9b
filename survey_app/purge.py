"""Retention: stale unfinished answers go, and free text goes once its retention date passes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select, update

from .admin.report_files import remove_free_text_exports
from .database import rows_changed
from .extensions import db
from .models import Response, Survey
from .questionnaire import Questionnaire

BATCH = 1_000


@dataclass(frozen=True)
class PurgeResult:
    unfinished_removed: int
    tokens_forgotten: int
    free_text_removed: int
    export_files_removed: int = 0


def purge(
    *, today: dt.date, unfinished_days: int, resume_days: int, free_text_days: int
) -> PurgeResult:
    stale = today - dt.timedelta(days=unfinished_days)
    removed = rows_changed(
        db.session.execute(
            delete(Response).where(Response.status == "in_progress", Response.last_saved_on < stale)
        )
    )
    # Once nobody can resume, the link between a browser and its submitted answers is dropped.
    forgotten = rows_changed(
        db.session.execute(
            update(Response)
            .where(
                Response.status == "submitted",
                Response.token_hash.is_not(None),
                Response.submitted_on < today - dt.timedelta(days=resume_days),
            )
            .values(token_hash=None)
        )
    )
    db.session.commit()

    free_text_removed = 0
    retention_passed = select(Survey).where(
        Survey.status == "closed",
        Survey.closed_on.is_not(None),
        Survey.closed_on <= today - dt.timedelta(days=free_text_days),
    )
    files_removed = 0
    for survey in db.session.scalars(retention_passed).all():
        # Exports made from the web pages with free text would keep it after the responses
        # let it go: they go too.
        files_removed += remove_free_text_exports(survey.id)
        keys = Questionnaire(survey.definition).free_text_keys
        last_id = 0
        while True:
            batch = db.session.scalars(
                select(Response)
                .where(Response.survey_id == survey.id, Response.id > last_id)
                .order_by(Response.id)
                .limit(BATCH)
            ).all()
            if not batch:
                break
            for response in batch:
                if keys & set(response.answers or {}):
                    response.answers = {k: v for k, v in response.answers.items() if k not in keys}
                    free_text_removed += 1
            last_id = batch[-1].id
            db.session.commit()
    return PurgeResult(removed, forgotten, free_text_removed, files_removed)
