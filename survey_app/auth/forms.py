"""Staff forms. Every one is a FlaskForm, so every one carries a CSRF token."""

from __future__ import annotations

from collections.abc import Iterator

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField
from wtforms.validators import InputRequired, ValidationError

from .passwords import password_problem


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
    def __iter__(self) -> Iterator[Field]:
        order = ("csrf_token", "current_password", "password", "confirm_password")
        return iter([self[name] for name in order])
