"""Partner organisations and staff accounts. A new account gets a one-time set-password link,
shown once to the analyst, who passes it on.

The link is made when its user's page is shown, not when the form is posted, so the token never
has to be carried from the POST to the page that shows it: the session cookie (signed, not
encrypted, so readable by anyone who sees it) holds only the id of the user whose link is due.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..auth import accounts
from ..errors import parse_row_id, row_id_or_404
from ..extensions import db
from ..forms import ConfirmForm, add_error, entered, error_list, refresh_expired_token
from ..models import User
from ..partners.assets import site_root
from . import bp, channel_admin
from .forms import NewUserForm, PartnerForm, choices

# The id of the user whose set-password link the next page for them shows.
LINK_DUE_SESSION_KEY = "password_link_due_for"


def _password_url(token: str) -> str:
    """The link as the person will open it: on the public address where one is set, never on
    whatever Host header the analyst's request happened to carry."""
    return site_root() + url_for("auth.set_password", token=token)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, row_id_or_404(user_id))
    if user is None:
        abort(404)
    return user


@bp.route("/partners", methods=["GET", "POST"])
def partners() -> Any:
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            partner = channel_admin.create_partner(entered(form.name))
        except channel_admin.ChannelError as error:
            add_error(form.name, str(error))
        else:
            flash(f"Partner {partner.name} added.", "success")
            return redirect(url_for("admin.partners"))
    refresh_expired_token(form)
    return render_template(
        "admin/partners.html",
        partners=channel_admin.partners(),
        users=accounts.all_users(),
        form=form,
        errors=error_list(form),
    )


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> Any:
    form = NewUserForm()
    form.partner_id.choices = choices(channel_admin.partner_choices(), "Select a partner")
    if form.partner_id.data is None and request.args.get("partner", "").isdigit():
        form.partner_id.data = request.args["partner"]
    if form.validate_on_submit():
        partner = None
        if form.role.data == "partner":
            # This select's choice is not checked against its options, so any text arrives here.
            chosen = parse_row_id(form.partner_id.data)
            partner = channel_admin.get_partner(chosen) if chosen is not None else None
            if partner is None:
                add_error(form.partner_id, "Select the partner they work for")
        if not form.errors:
            try:
                user = accounts.create_user(entered(form.email), form.role.data, partner)
            except accounts.AccountError as error:
                db.session.rollback()
                add_error(form.email, str(error))
            else:
                db.session.commit()
                session[LINK_DUE_SESSION_KEY] = user.id
                return redirect(url_for("admin.user_link", user_id=user.id))
    refresh_expired_token(form)
    return render_template("admin/user_new.html", form=form, errors=error_list(form))


@bp.route("/users/<int:user_id>/link")
def user_link(user_id: int) -> Any:
    user = _user_or_404(user_id)
    # Whichever user's page comes next uses the due link up, so it is never made for a page
    # opened later on. It is made only on its own user's page, and shown once: the token is
    # stored only as a hash, so it cannot be shown again.
    due_for = session.pop(LINK_DUE_SESSION_KEY, None)
    link = None
    if due_for == user.id and user.active:
        link = _password_url(accounts.issue_password_link(user).token)
    return render_template("admin/user_link.html", user=user, link=link, form=ConfirmForm())


@bp.route("/users/<int:user_id>/new-link", methods=["POST"])
def user_new_link(user_id: int) -> Any:
    user = _user_or_404(user_id)
    if ConfirmForm().validate_on_submit() and user.active:
        # Any earlier link stops working now, not only once the page shows the new one.
        accounts.issue_password_link(user)
        session[LINK_DUE_SESSION_KEY] = user.id
    return redirect(url_for("admin.user_link", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int) -> Any:
    user = _user_or_404(user_id)
    if user.id == current_user.id:
        flash("You cannot stop your own access: ask another analyst, or use the command line.")
    elif ConfirmForm().validate_on_submit():
        accounts.deactivate(user)
        flash(f"{user.email} can no longer sign in.", "success")
    return redirect(url_for("admin.partners"))
