"""What every form of the service shares: the form that is only its CSRF token, the GOV.UK error
summary built from a form, errors added after validation, and the words for a page that was
open too long.

Every form is a FlaskForm, so every one carries a CSRF token; a token that has expired is
replaced when the form is shown again, so the next try works and nothing typed is lost.
"""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, StringField

# A form posted after its token expired, in the words that fit where it was posted (residents'
# in their language; staff pages are in English).
EXPIRED: dict[str, str | LazyString] = {
    "staff": "This page had been open too long. Try again",
    "question": _l(
        "This page had been open for too long, so your answers were not saved. "
        "Check them and select Continue again"
    ),
    "submit": _l(
        "This page had been open for too long, so your answers were not sent. "
        "Select Submit your answers again"
    ),
}


class ConfirmForm(FlaskForm):
    """A form whose only field is its CSRF token: submit, start again, sign out, archive."""


def entered(field: StringField) -> str:
    """The text in a field that has passed its InputRequired or DataRequired check, which
    leaves no field empty: call it only after the form validated."""
    assert field.data is not None, f"{field.name} is required, so it has text once validated"
    return field.data


def add_error(field: Field, message: str) -> None:
    """Show a problem found after the form validated (a wrong password, a name in use) as the
    field's error, after any errors validation found."""
    field.errors = [*field.errors, message]


def error_list(
    form: FlaskForm,
    *,
    expired: str | LazyString = EXPIRED["staff"],
    expired_href: str | None = None,
) -> list[dict[str, str]]:
    """The GOV.UK error summary's items: each error links to its field, in the form's order.

    An expired token links to `expired_href`, else to the form's first field.
    """
    errors = []
    first_field = next((field for field in form if field.name != "csrf_token"), None)
    for field in form:
        if field.name == "csrf_token":
            if field.errors:
                href = expired_href or (
                    f"#{first_field.id}" if first_field is not None else "#main-content"
                )
                errors.append({"text": str(expired), "href": href})
        elif field.errors:
            errors.append({"text": field.errors[0], "href": f"#{field.id}"})
    return errors


def refresh_expired_token(form: FlaskForm) -> None:
    """After an expired-token error, show the form with a fresh token so the next try works."""
    if form.csrf_token.errors:
        form.csrf_token.data = form.csrf_token.current_token
