"""Partner pages, and the QR codes and posters that partners and the analyst download."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, render_template
from flask_login import current_user
from werkzeug.wrappers import Response as HttpResponse

from reporting.queries import find_survey

from ..auth.access import can_see_channel, partner_required, staff_required
from ..errors import row_id_or_404
from ..extensions import db
from ..models import Channel
from . import assets, bp, figures


@bp.after_request
def _private(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = "no-store"
    return response


def _own_partner_id() -> int:
    partner_id = current_user.partner_id
    if partner_id is None:
        abort(403)
    return partner_id


@bp.route("/partner/")
@partner_required
def overview() -> Any:
    partner_id = _own_partner_id()
    channels = figures.partner_channels(partner_id)
    survey = find_survey(db.engine)
    weeks: list[dt.date] = []
    channel_weeks: list[figures.ChannelWeeks] = []
    reach: list[figures.GroupReach] = []
    missing: figures.MissingGroups | None = None
    missing_pending = False
    if survey is not None:
        counts = figures.partner_counts(partner_id, channels, survey["id"])
        weeks, channel_weeks = figures.weekly_counts(channels, counts)
        missing = figures.missing_groups(survey["id"])
        missing_pending = missing is None
        if missing is not None:
            reach = figures.reach_into_flagged_groups(counts, missing.flagged)
    return render_template(
        "partners/overview.html",
        partner=current_user.partner,
        channels=channels,
        links={channel.id: assets.channel_link(channel) for channel in channels},
        survey=survey,
        weeks=weeks,
        channel_weeks=channel_weeks,
        reach=reach,
        missing=missing,
        missing_pending=missing_pending,
    )


@bp.route("/partner/channels/<int:channel_id>")
@partner_required
def channel(channel_id: int) -> Any:
    found = figures.partner_channel(_own_partner_id(), row_id_or_404(channel_id))
    if found is None:
        abort(404)
    return render_template("partners/channel.html", channel=found, link=assets.channel_link(found))


def _visible_channel(channel_id: int) -> Channel:
    """The channel if the signed-in user may see it; 404 otherwise, so ids reveal nothing."""
    found = db.session.get(Channel, row_id_or_404(channel_id))
    if found is None or not can_see_channel(current_user, found):
        abort(404)
    return found


def _download(body: bytes, mimetype: str, filename: str, *, inline: bool = False) -> HttpResponse:
    disposition = "inline" if inline else "attachment"
    return HttpResponse(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'{disposition}; filename="{filename}"'},
    )


@bp.route("/channels/<int:channel_id>/qr.png")
@staff_required
def qr_png(channel_id: int) -> HttpResponse:
    found = _visible_channel(channel_id)
    return _download(assets.qr_png(found), "image/png", assets.download_name(found, "qr", "png"))


@bp.route("/channels/<int:channel_id>/qr.svg")
@staff_required
def qr_svg(channel_id: int) -> HttpResponse:
    found = _visible_channel(channel_id)
    return _download(
        assets.qr_svg(found),
        "image/svg+xml",
        assets.download_name(found, "qr", "svg"),
        inline=True,
    )


@bp.route("/channels/<int:channel_id>/poster.pdf")
@staff_required
def poster(channel_id: int) -> HttpResponse:
    found = _visible_channel(channel_id)
    return _download(
        assets.poster_pdf(found), "application/pdf", assets.download_name(found, "poster", "pdf")
    )
