"""The partner portal: a partner's own channels, their links, QR codes, posters and counts."""

from flask import Blueprint

bp = Blueprint("partners", __name__)

from . import routes  # noqa: E402,F401
