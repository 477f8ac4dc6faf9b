"""Sign in, sign out, set a password from a one-time link, change a password."""

from __future__ import annotations

import hashlib
import time
from typing import Any
from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, session, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response as HttpResponse

from ..extensions import limiter
from ..forms import ConfirmForm, add_error, entered, error_list, refresh_expired_token
from ..models import User
from . import LAST_SEEN_KEY, accounts, bp
from .forms import ChangePasswordForm, SetPasswordForm, SignInForm
from .passwords import password_matches

WRONG_DETAILS = "Enter the email address and password for your account"


@bp.after_request
def _private(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    # Set-password links carry a secret in the address; never send it on to another site.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def home_for(user: User) -> str:
    return url_for("admin.dashboard") if user.is_analyst else url_for("partners.overview")


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never another host, so the link cannot send staff elsewhere."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and "\\" not in target else None


def _start_session(user: User) -> None:
    # A fresh session on sign-in: nothing from before (a resident's answers, an attacker's
    # planted cookie) carries over into the signed-in session.
    session.clear()
    login_user(user)
    # Flask-Login stores a hash of the address and user agent in the cookie on sign-in, where
    # anyone holding the cookie could brute-force the address back; the session's own nonce and
    # idle timeout protect it instead, so the hash is not kept.
    session.pop("_id", None)
    session[LAST_SEEN_KEY] = time.time()


def _login_attempt_key() -> str:
    """Attempts on one account from one address. Keyed on the account alone, anyone who knew a
    staff email could lock its owner out; with the address, they only lock out themselves.
    The email is hashed, so the limiter's storage holds no staff address either."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    account = hashlib.sha256(email.encode()).hexdigest()[:32]
    return f"{account}:{get_remote_address()}"


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit("10 per minute;60 per hour", methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"], key_func=_login_attempt_key)
def sign_in() -> Any:
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = SignInForm()
    if form.validate_on_submit():
        user = accounts.authenticate(entered(form.email), entered(form.password))
        if user is not None:
            next_url = _safe_next(request.args.get("next"))
            _start_session(user)
            return redirect(next_url or home_for(user))
        add_error(form.email, WRONG_DETAILS)
    refresh_expired_token(form)
    return render_template("auth/sign_in.html", form=form, errors=error_list(form))


@bp.route("/sign-out", methods=["GET", "POST"])
def sign_out() -> Any:
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if current_user.is_authenticated:
            # Ends the session on the server too: a copy of the cookie taken before signing
            # out no longer opens anything (the account's other sessions end with it).
            accounts.end_sessions(current_user)
        logout_user()
        session.clear()
        flash("You have signed out.", "success")
        return redirect(url_for("auth.sign_in"))
    if not current_user.is_authenticated:
        return redirect(url_for("auth.sign_in"))
    return render_template("auth/sign_out.html", form=form)


@bp.route("/set-password/<token>", methods=["GET", "POST"])
def set_password(token: str) -> Any:
    user = accounts.user_for_password_token(token)
    if user is None:
        return render_template("auth/link_expired.html"), 404
    form = SetPasswordForm(account_email=user.email)
    if form.validate_on_submit():
        accounts.set_password(user, entered(form.password))
        logout_user()
        session.clear()
        flash("Your password is set. Sign in with it now.", "success")
        return redirect(url_for("auth.sign_in"))
    refresh_expired_token(form)
    return render_template("auth/set_password.html", form=form, errors=error_list(form), user=user)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password() -> Any:
    user: User = current_user._get_current_object()
    form = ChangePasswordForm(account_email=user.email)
    if form.validate_on_submit():
        if not password_matches(user.password_hash, entered(form.current_password)):
            add_error(form.current_password, "Your current password is not right")
        else:
            accounts.set_password(user, entered(form.password))
            # Every other browser is now signed out; this one carries on with the new nonce.
            _start_session(user)
            flash("Your password has changed. Any other browser you used is signed out.", "success")
            return redirect(home_for(user))
    refresh_expired_token(form)
    return render_template("auth/change_password.html", form=form, errors=error_list(form))
