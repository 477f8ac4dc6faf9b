"""Partner organisations and staff accounts. A new account gets a one-time set-password link,
shown once to the analyst, who passes it on."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..auth import accounts
from ..auth.forms import ConfirmForm, error_list, refresh_expired_token
from ..extensions import db
from ..models import User
from . import bp, channel_admin
from .forms import NewUserForm, PartnerForm, choices

LINK_SESSION_KEY = "new_password_link"


def _password_url(token: str) -> str:
    return url_for("auth.set_password", token=token, _external=True)


@bp.route("/partners", methods=["GET", "POST"])
def partners() -> Any:
    form = PartnerForm()
    if form.validate_on_submit():
        try:
            partner = channel_admin.create_partner(form.name.data)
        except channel_admin.ChannelError as error:
            form.name.errors.append(str(error))
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
            value = form.partner_id.data or ""
            partner = channel_admin.get_partner(int(value)) if value.isdigit() else None
            if partner is None:
                form.partner_id.errors.append("Select the partner they work for")
        if not form.errors:
            try:
                user = accounts.create_user(form.email.data, form.role.data, partner)
            except accounts.AccountError as error:
                db.session.rollback()
                form.email.errors.append(str(error))
            else:
                link = accounts.issue_password_link(user)
                session[LINK_SESSION_KEY] = _password_url(link.token)
                return redirect(url_for("admin.user_link", user_id=user.id))
    refresh_expired_token(form)
    return render_template("admin/user_new.html", form=form, errors=error_list(form))


@bp.route("/users/<int:user_id>/link")
def user_link(user_id: int) -> Any:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    # The link is shown once: the token is stored only as a hash, so it cannot be shown again.
    link = session.pop(LINK_SESSION_KEY, None)
    return render_template("admin/user_link.html", user=user, link=link, form=ConfirmForm())


@bp.route("/users/<int:user_id>/new-link", methods=["POST"])
def user_new_link(user_id: int) -> Any:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if ConfirmForm().validate_on_submit() and user.active:
        link = accounts.issue_password_link(user)
        session[LINK_SESSION_KEY] = _password_url(link.token)
    return redirect(url_for("admin.user_link", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def user_deactivate(user_id: int) -> Any:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    if user.id == current_user.id:
        flash("You cannot stop your own access: ask another analyst, or use the command line.")
    elif ConfirmForm().validate_on_submit():
        accounts.deactivate(user)
        flash(f"{user.email} can no longer sign in.", "success")
    return redirect(url_for("admin.partners"))
