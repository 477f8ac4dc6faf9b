"""Staff sign-in: accounts for analysts and partners, sessions that expire, rate-limited login."""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

from flask import Blueprint, Flask, current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user
from markupsafe import Markup
from werkzeug.wrappers import Response as HttpResponse
from wtforms.fields.choices import SelectFieldBase

from ..extensions import login_manager

if TYPE_CHECKING:
    from ..models import User

bp = Blueprint("auth", __name__)

# Staff sessions end after this long without a request: a shared office computer left signed
# in stops showing the partnership's figures by the next morning.
LAST_SEEN_KEY = "staff_last_seen"


def init_auth(app: Flask) -> None:
    """Bind Flask-Login to the app and check staff sessions on each request."""
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    # The nonce in the session id and the idle timeout below protect staff sessions; Flask-Login's
    # own protection would write a hash of every visitor's IP address into residents' cookies.
    login_manager.session_protection = None
    app.before_request(_expire_idle_staff_session)


@login_manager.user_loader
def _load_user(session_id: str) -> User | None:
    from .accounts import load_user

    return load_user(session_id)


def _expire_idle_staff_session() -> HttpResponse | None:
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    idle_limit = dt.timedelta(minutes=current_app.config["STAFF_IDLE_MINUTES"]).total_seconds()
    last_seen = session.get(LAST_SEEN_KEY)
    now = time.time()
    if isinstance(last_seen, int | float) and now - last_seen > idle_limit:
        logout_user()
        session.clear()
        flash("You were signed out because you had not used the service for a while.", "info")
        return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
    session[LAST_SEEN_KEY] = now
    return None


from . import routes  # noqa: E402,F401


@bp.app_template_global()
def select_items(field: SelectFieldBase, checked: bool = False) -> list[dict[str, object]]:
    """GOV.UK select options (or radio items, with checked=True) from a WTForms choice field."""
    key = "checked" if checked else "selected"
    return [
        {"value": value, "text": label, key: selected}
        for value, label, selected, _render_kw in field.iter_choices()
    ]


@bp.app_template_global()
def link_html(href: str, text: str, hidden: str = "", tag: str = "") -> Markup:
    """A GOV.UK link for a table cell, text escaped; `hidden` adds context for screen readers."""
    html = Markup('<a class="govuk-link" href="{}">{}').format(href, text)
    if hidden:
        html += Markup('<span class="govuk-visually-hidden"> {}</span>').format(hidden)
    html += Markup("</a>")
    if tag:
        html += Markup(' <strong class="govuk-tag govuk-tag--grey">{}</strong>').format(tag)
    return html


@bp.app_template_global()
def code_html(text: str) -> Markup:
    return Markup("<code>{}</code>").format(text)
