"""The results published to residents: /results, a page per published wave, and its figures
as open data. In English only, like every page outside the resident's journey."""

from flask import Blueprint

bp = Blueprint("results", __name__, url_prefix="/results")

from . import routes  # noqa: E402,F401
