"""Common passwords are refused however they are dressed up; real passphrases are not."""

from __future__ import annotations

import tomllib
from pathlib import Path, PurePosixPath

import pytest

from survey_app.auth import passwords
from survey_app.auth.passwords import password_problem

TOO_COMMON = "That password is too common. Choose a password that would be hard to guess"
PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


@pytest.mark.parametrize(
    "password", ["P@ssw0rd1234", "Password1234!", "Summer2024!!!!", "qwertyuiop123", "1234Password"]
)
def test_a_common_password_with_padding_or_lookalikes_is_refused(password):
    assert password_problem(password) == TOO_COMMON


@pytest.mark.parametrize(
    "password",
    ["Chocolate2024!", "Barcelona1899", "spongebob12345", "California!2024", "Metallica666!!"],
)
def test_a_password_from_the_20000_most_common_is_refused_dressed_up(password):
    assert password_problem(password) == TOO_COMMON


@pytest.mark.parametrize(
    "password", ["MiltonKeynes2026!", "ThamesValley1!", "SaferMK2026!!", "1q2w3e4r5t6y"]
)
def test_the_services_own_additions_are_still_refused(password):
    assert password_problem(password) == TOO_COMMON


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "violet-tram-quietly-88", "Tr0ub4dor&3xyz"]
)
def test_a_passphrase_is_accepted(password):
    assert password_problem(password) is None


def test_the_list_holds_the_20000_most_common_passwords():
    """A list that failed to load, or lost its larger part, would let common passwords through
    with no other sign."""
    common = passwords.common_passwords()
    assert len(common) > 19_000
    assert {"123456", "password", "qwerty", "iloveyou", "#1pimp"} <= common


def test_the_lists_are_packaged_with_the_app():
    """The password lists are read from the installed package, so they must be package data."""
    settings = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    patterns = settings["tool"]["setuptools"]["package-data"]["survey_app"]
    package = Path(passwords.__file__).resolve().parents[1]
    for path in (passwords.COMMON_PASSWORDS_FILE, passwords.LOCAL_PASSWORDS_FILE):
        inside = PurePosixPath(path.relative_to(package).as_posix())
        assert path.is_file() and any(inside.match(pattern) for pattern in patterns), inside
