"""Password rules the NCSC way: long enough, not a commonly used password, no other rules.

Composition rules (a capital, a digit, a symbol) are deliberately absent: they push people to
predictable patterns. Length and a deny-list of the passwords attackers try first do the work.
"""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

MINIMUM_LENGTH = 12
# Long enough for any passphrase; the limit keeps hashing cost bounded.
MAXIMUM_LENGTH = 256
DATA_FOLDER = Path(__file__).resolve().parent.parent / "data"
# The 20,000 most common passwords, lowercased: Django's list, kept exactly as Django ships it
# (where it comes from, and its licence: common_passwords_NOTICE.txt beside it).
COMMON_PASSWORDS_FILE = DATA_FOLDER / "common_passwords.txt.gz"
# What an attacker would try here that the list above lacks: the names of the service, the
# area and its police force, and dressed-up forms the checks below cannot undo.
LOCAL_PASSWORDS_FILE = DATA_FOLDER / "local_passwords.txt"
HASH_METHOD = "scrypt"


def _entries(text: str) -> set[str]:
    """One password a line. No line is a comment: real passwords start with "#"."""
    return {line.strip().lower() for line in text.splitlines() if line.strip()}


@cache
def common_passwords() -> frozenset[str]:
    """Read once per process, when the first password is checked: about 20,000 entries,
    which take a few hundredths of a second to read."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as shared:
        entries = _entries(shared.read())
    entries |= _entries(LOCAL_PASSWORDS_FILE.read_text(encoding="utf-8"))
    return frozenset(entries)


# The substitutions people make to dress up a common word: "P@ssw0rd" is "password".
LOOKALIKES = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "0": "o",
        "1": "i",
        "!": "i",
        "3": "e",
        "5": "s",
        "$": "s",
        "7": "t",
        "+": "t",
    }
)
# Digits and symbols added before or after a word ("Password1234!", "2024summer").
PADDING = re.compile(r"^[\d\W_]+|[\d\W_]+$")


def _is_common(lowered: str) -> bool:
    """The password, or its word once padding and look-alike characters are taken away, is
    among the passwords attackers try first."""
    common = common_passwords()
    core = PADDING.sub("", lowered)
    candidates = {lowered, core, lowered.translate(LOOKALIKES), core.translate(LOOKALIKES)}
    candidates |= {PADDING.sub("", lowered.translate(LOOKALIKES))}
    return any(len(word) >= 4 and word in common for word in candidates)


def password_problem(password: str, email: str = "") -> str | None:
    """Why the password cannot be used, in words for the person choosing it; None if it is fine."""
    if len(password) < MINIMUM_LENGTH:
        return f"Password must be {MINIMUM_LENGTH} characters or more"
    if len(password) > MAXIMUM_LENGTH:
        return f"Password must be {MAXIMUM_LENGTH} characters or fewer"
    lowered = password.lower()
    if _is_common(lowered) or len(set(lowered)) <= 2:
        return "That password is too common. Choose a password that would be hard to guess"
    local_part = email.lower().partition("@")[0]
    if local_part and (lowered == email.lower() or lowered == local_part):
        return "Password must not be your email address"
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=HASH_METHOD)


def password_matches(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    return check_password_hash(password_hash, password)


@cache
def _dummy_hash() -> str:
    return hash_password("no account has this password, it only spends the same time")


def spend_hashing_time(password: str) -> None:
    """Check against a dummy hash, so an unknown email takes as long as a wrong password."""
    check_password_hash(_dummy_hash(), password)
