"""Staff forms. Every one is a FlaskForm, so every one carries a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField
from wtforms.validators import InputRequired, ValidationError

from .passwords import password_problem

EXPIRED_PAGE = "This page had been open too long. Try again"


def error_list(form: FlaskForm) -> list[dict[str, str]]:
    """The GOV.UK error summary's items: each error links to its field, in the form's order."""
    errors = []
    first_field = next((field for field in form if field.name != "csrf_token"), None)
    for field in form:
        if field.name == "csrf_token":
            if field.errors:
                href = f"#{first_field.id}" if first_field is not None else "#main-content"
                errors.append({"text": EXPIRED_PAGE, "href": href})
        elif field.errors:
            errors.append({"text": field.errors[0], "href": f"#{field.id}"})
    return errors


def refresh_expired_token(form: FlaskForm) -> None:
    """After an expired-token error, show the form with a fresh token so the next try works."""
    if form.csrf_token.errors:
        form.csrf_token.data = form.csrf_token.current_token


class SignInForm(FlaskForm):
    email = EmailField(validators=[InputRequired("Enter your email address")])
    password = PasswordField(validators=[InputRequired("Enter your password")])


def _strong_password(form: FlaskForm, field: Field) -> None:
    problem = password_problem(field.data or "", getattr(form, "account_email", ""))
    if problem:
        raise ValidationError(problem)


def _same_as_password(form: FlaskForm, field: Field) -> None:
    if field.data != form.password.data:
        raise ValidationError("Passwords do not match: type the same password twice")


class SetPasswordForm(FlaskForm):
    password = PasswordField(validators=[InputRequired("Enter a new password"), _strong_password])
    confirm_password = PasswordField(
        validators=[InputRequired("Type the new password again"), _same_as_password]
    )

    def __init__(self, *args: object, account_email: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(validators=[InputRequired("Enter your current password")])

    # The current password is asked first on the page, so its error comes first too.
    def __iter__(self):  # type: ignore[no-untyped-def]
        order = ("csrf_token", "current_password", "password", "confirm_password")
        return iter([self[name] for name in order])


class ConfirmForm(FlaskForm):
    """A form whose only field is its CSRF token: sign out, archive, generate."""
