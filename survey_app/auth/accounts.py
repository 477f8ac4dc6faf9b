"""Staff accounts: create, issue a one-time set-password link, set and change passwords, sign in.

Nothing here knows about requests; routes and the `flask users` commands call these.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from ..models import USER_ROLES, Partner, User
from ..tokens import new_token, token_hash
from .passwords import hash_password, password_matches, password_problem, spend_hashing_time

PASSWORD_LINK_LIFETIME = dt.timedelta(hours=72)
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class AccountError(ValueError):
    """Bad input for an account; the message says what to change."""


@dataclass(frozen=True)
class PasswordLink:
    user: User
    token: str
    expires_at: dt.datetime


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _new_nonce() -> str:
    return secrets.token_hex(16)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalars(select(User).where(User.email == normalise_email(email))).first()


def find_partner(name: str) -> Partner | None:
    return db.session.scalars(
        select(Partner).where(func.lower(Partner.name) == name.strip().lower())
    ).first()


def create_user(email: str, role: str, partner: Partner | None = None) -> User:
    email = normalise_email(email)
    if not EMAIL_PATTERN.match(email) or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address, like name@example.org")
    if role not in USER_ROLES:
        raise AccountError(f"Role must be {' or '.join(USER_ROLES)}, not {role!r}")
    if role == "partner" and partner is None:
        raise AccountError("A partner user needs the partner organisation they belong to")
    if role == "analyst" and partner is not None:
        raise AccountError("An analyst sees every partner, so belongs to none")
    if find_user_by_email(email) is not None:
        raise AccountError(f"There is already an account for {email}")
    user = User(
        email=email,
        role=role,
        partner=partner,
        session_nonce=_new_nonce(),
        active=True,
        created_on=dt.date.today(),
    )
    db.session.add(user)
    db.session.flush()
    return user


def issue_password_link(user: User) -> PasswordLink:
    """A new one-time token to set the password; any earlier link stops working."""
    token = new_token()
    user.password_token_hash = token_hash(token)
    user.password_token_expires_at = now() + PASSWORD_LINK_LIFETIME
    db.session.commit()
    return PasswordLink(user, token, user.password_token_expires_at)


def user_for_password_token(token: str) -> User | None:
    """The user a set-password link is for, if the link is unused and unexpired."""
    if not token or len(token) > 100:
        return None
    user = db.session.scalars(
        select(User).where(User.password_token_hash == token_hash(token))
    ).first()
    if user is None or not user.active:
        return None
    expires_at = user.password_token_expires_at
    if expires_at is None or expires_at < now():
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Set a new password, use up any set-password link and sign out every other session."""
    problem = password_problem(password, user.email)
    if problem:
        raise AccountError(problem)
    user.password_hash = hash_password(password)
    user.password_token_hash = None
    user.password_token_expires_at = None
    user.session_nonce = _new_nonce()
    db.session.commit()


def authenticate(email: str, password: str) -> User | None:
    user = find_user_by_email(email) if email else None
    if user is None or not user.password_hash:
        spend_hashing_time(password)
        return None
    if not password_matches(user.password_hash, password) or not user.is_active:
        return None
    return user


def load_user(session_id: str) -> User | None:
    """The user a session belongs to, if its nonce is still current (no password change since)."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    return user if secrets.compare_digest(user.session_nonce, nonce) else None


def end_sessions(user: User) -> None:
    """Every session of the account ends: their cookies name a nonce that is no longer current."""
    user.session_nonce = _new_nonce()
    db.session.commit()


def deactivate(user: User) -> None:
    user.active = False
    user.session_nonce = _new_nonce()
    user.password_token_hash = None
    db.session.commit()


def all_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.role, User.email)))
