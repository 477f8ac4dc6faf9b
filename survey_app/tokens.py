"""Bearer tokens: a resident's session token and a staff member's set-password link.

The token itself is only ever in the holder's hands (cookie or link); the database keeps its
SHA-256, so a copy of the database cannot be used to resume a response or set a password. The
tokens carry 256 random bits, so a fast unsalted hash is enough: there is nothing to guess.
"""

from __future__ import annotations

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database stores and looks up in place of the token (64 hex characters)."""
    return hashlib.sha256(token.encode()).hexdigest()
