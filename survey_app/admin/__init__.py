"""The analyst's pages: dashboard, channels, partners and users, paper responses, reports.

Every route in this blueprint is for analysts only; the check is made once, here, before any
view runs, so a new route cannot forget it.
"""

from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user
from markupsafe import Markup
from werkzeug.wrappers import Response as HttpResponse

from reporting.representativeness import (
    AS_EXPECTED,
    FLAG_LABELS,
    NOT_ENOUGH_RESPONSES,
    OVER_REPRESENTED,
    POSSIBLY_UNDER_REPRESENTED,
    UNDER_REPRESENTED,
)

from ..extensions import login_manager

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _analysts_only() -> HttpResponse | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_analyst:
        abort(403)
    return None


@bp.after_request
def _private(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


# The reports' wording for each flag (one home: reporting.representativeness), as coloured tags.
FLAG_TAG_CLASSES = {
    UNDER_REPRESENTED: "govuk-tag--red",
    POSSIBLY_UNDER_REPRESENTED: "govuk-tag--orange",
    OVER_REPRESENTED: "govuk-tag--blue",
    AS_EXPECTED: "govuk-tag--green",
    NOT_ENOUGH_RESPONSES: "govuk-tag--grey",
}


@bp.app_template_global()
def flag_tag(flag: str) -> Markup:
    text = FLAG_LABELS.get(flag, flag.replace("_", " ").capitalize())
    classes = FLAG_TAG_CLASSES.get(flag, "govuk-tag--grey")
    return Markup('<strong class="govuk-tag {}">{}</strong>').format(classes, text)


@bp.app_template_global()
def percent(share: float | None) -> str:
    return "" if share is None else f"{100 * share:.1f}%"


from . import (  # noqa: E402,F401
    routes_channels,
    routes_dashboard,
    routes_languages,
    routes_paper,
    routes_people,
    routes_quality,
    routes_results,
)
