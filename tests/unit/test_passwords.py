"""Common passwords are refused however they are dressed up; real passphrases are not."""

from __future__ import annotations

import pytest

from survey_app.auth.passwords import password_problem


@pytest.mark.parametrize(
    "password", ["P@ssw0rd1234", "Password1234!", "Summer2024!!!!", "qwertyuiop123", "1234Password"]
)
def test_a_common_password_with_padding_or_lookalikes_is_refused(password):
    assert password_problem(password) == (
        "That password is too common. Choose a password that would be hard to guess"
    )


@pytest.mark.parametrize("password", ["correct horse battery staple", "Tr0ub4dor&3xyz"])
def test_a_passphrase_is_accepted(password):
    assert password_problem(password) is None
