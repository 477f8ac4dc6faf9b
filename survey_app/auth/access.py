"""Who may see what: route decorators for analysts and partners."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from ..models import Channel, User

View = TypeVar("View", bound=Callable[..., Any])


def role_required(*roles: str) -> Callable[[View], View]:
    """Anonymous visitors are sent to sign in; a signed-in user of another role gets 403."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return login_required(wrapped)

    return decorator


analyst_required = role_required("analyst")
partner_required = role_required("partner")
staff_required = role_required("analyst", "partner")


def can_see_channel(user: User, channel: Channel) -> bool:
    if user.is_analyst:
        return True
    return user.is_partner and user.partner_id is not None and channel.partner_id == user.partner_id
