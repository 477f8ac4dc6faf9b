"""Thin routes: find the published wave, turn its snapshot into the page's words, render.

Published pages are the same for everyone, so shared caches may keep them briefly
(CACHE_SECONDS): unpublishing reaches every reader within that time. A page that carries
anything of its visitor's (a signed-in member of staff's navigation, a cookie being set) is
kept out of every cache, as every other page of the service is.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from .. import responses, results, you_said_we_did
from ..errors import row_id_or_404
from ..models import PublishedResults, Survey
from . import bp, open_data
from .view import results_view

CACHE_SECONDS = 300


@bp.after_request
def _cache(response: HttpResponse) -> HttpResponse:
    # Flask adds the session cookie after these hooks, so a visitor who brought any cookie (a
    # resident part way through the survey) or whose session changed is never cached: a shared
    # cache must not keep a page with someone's cookie on it.
    shared = (
        response.status_code == 200
        and not current_user.is_authenticated
        and not request.cookies
        and not session.modified
        and not session.permanent
        and "Set-Cookie" not in response.headers
    )
    response.headers["Cache-Control"] = f"public, max-age={CACHE_SECONDS}" if shared else "no-store"
    return response


def _figures_or_404(
    found: tuple[Survey, PublishedResults] | None,
) -> tuple[Survey, PublishedResults, dict[str, Any]]:
    if found is None:
        abort(404)
    survey, row = found
    figures = results.read_figures(row)
    if figures is None:
        abort(404)
    return survey, row, figures


def _page(survey: Survey, row: PublishedResults, figures: dict[str, Any]) -> str:
    others = [
        (other, other_row)
        for other, other_row in results.published_waves(survey.slug)
        if other.id != survey.id
    ]
    return render_template(
        "results/results.html",
        survey=survey,
        view=results_view(figures),
        published_on=row.published_at,
        entries=you_said_we_did.entries(survey.id),
        csv_url=url_for("results.wave_csv", slug=survey.slug, wave=survey.wave),
        others=others,
    )


@bp.route("")
def newest() -> str:
    found = results.newest_published()
    if found is None:
        return render_template(
            "results/not_yet.html", survey_open=responses.open_survey() is not None
        )
    return _page(*_figures_or_404(found))


@bp.route("/<slug>/<int:wave>")
def wave_page(slug: str, wave: int) -> str:
    return _page(*_figures_or_404(results.published_wave(slug, row_id_or_404(wave))))


@bp.route("/<slug>/<int:wave>.csv")
def wave_csv(slug: str, wave: int) -> Response:
    survey, _row, figures = _figures_or_404(results.published_wave(slug, row_id_or_404(wave)))
    download = Response(
        open_data.csv_text(figures).encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    name = open_data.file_name(survey.slug, survey.wave)
    download.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return download
