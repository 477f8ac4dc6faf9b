"""Languages: which the survey is offered in, what each still lacks, and who has reviewed it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import render_template, url_for
from sqlalchemy import func, select

from .. import languages
from ..extensions import db
from ..models import Channel, Response, SurveyTranslation, counted_responses
from . import bp
from . import dashboard as live


@dataclass(frozen=True)
class LanguageRow:
    language: languages.Language
    interface_missing: int | None  # None: no catalogue at all
    questionnaire_missing: int | None  # None: not loaded for this survey
    review_status: str
    responses: int

    @property
    def offered(self) -> bool:
        return self.interface_missing == 0 and self.questionnaire_missing == 0


def language_rows(survey_id: int) -> list[LanguageRow]:
    translations = {
        row.language: row
        for row in db.session.scalars(
            select(SurveyTranslation).where(SurveyTranslation.survey_id == survey_id)
        )
    }
    counts = dict(
        db.session.execute(
            select(Response.language, func.count())
            .where(counted_responses(survey_id))
            .group_by(Response.language)
        ).all()
    )
    catalogues = languages.interface_catalogues()
    rows = []
    for code in sorted(set(catalogues) | set(translations)):
        catalogue = catalogues.get(code)
        translation = translations.get(code)
        rows.append(
            LanguageRow(
                language=languages.language(code),
                interface_missing=len(catalogue.missing) if catalogue else None,
                questionnaire_missing=len(translation.missing) if translation else None,
                review_status=(
                    catalogue.review_status
                    if catalogue
                    else translation.review_status
                    if translation
                    else languages.AWAITING_REVIEW
                ),
                responses=counts.get(code, 0),
            )
        )
    return rows


@bp.route("/languages")
def languages_page() -> Any:
    survey = live.current_survey()
    if survey is None:
        return render_template("admin/languages.html", survey=None)
    rows = language_rows(survey["id"])
    english = db.session.scalar(
        select(func.count())
        .select_from(Response)
        .where(counted_responses(survey["id"]), Response.language == languages.SOURCE_LANGUAGE)
    )
    example_channel = db.session.scalars(
        select(Channel.slug).where(Channel.archived.is_(False)).order_by(Channel.slug).limit(1)
    ).first()
    offered = next((row for row in rows if row.offered), None)
    example_link = None
    if example_channel and offered:
        example_link = url_for(
            "public.channel_link", slug=example_channel, lang=offered.language.code, _external=True
        )
    return render_template(
        "admin/languages.html",
        survey=survey,
        rows=rows,
        english_responses=english or 0,
        example_link=example_link,
        example_language=offered.language if offered else None,
    )
