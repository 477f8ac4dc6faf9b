"""What a partner hands out for a channel: its link, a QR code of it, and a printable poster."""

from __future__ import annotations

import base64
import io

import segno
from flask import current_app, render_template, request

from ..models import Channel

QR_SCALE_PNG = 12
QR_SCALE_SVG = 10
# Medium error correction survives a poster's creases and a little rain.
QR_ERROR_CORRECTION = "m"


def site_root() -> str:
    """The address residents reach the survey on, as printed on posters."""
    configured = current_app.config.get("SAFERMK_BASE_URL")
    return (configured or request.url_root).rstrip("/")


def channel_link(channel: Channel) -> str:
    return f"{site_root()}/s/{channel.slug}"


def _qr(channel: Channel) -> segno.QRCode:
    return segno.make(channel_link(channel), error=QR_ERROR_CORRECTION, micro=False)


def qr_png(channel: Channel) -> bytes:
    buffer = io.BytesIO()
    _qr(channel).save(buffer, kind="png", scale=QR_SCALE_PNG, border=4)
    return buffer.getvalue()


def qr_svg(channel: Channel) -> bytes:
    buffer = io.BytesIO()
    _qr(channel).save(
        buffer,
        kind="svg",
        scale=QR_SCALE_SVG,
        border=4,
        title=f"QR code for {channel_link(channel)}",
        svgclass=None,
        lineclass=None,
    )
    return buffer.getvalue()


def poster_pdf(channel: Channel) -> bytes:
    """A one-page A4 poster: the survey's invitation, the QR code and the link in plain text."""
    from weasyprint import HTML

    qr_data_uri = "data:image/svg+xml;base64," + base64.b64encode(qr_svg(channel)).decode()
    html = render_template(
        "partners/poster.html",
        channel=channel,
        link=channel_link(channel),
        qr_data_uri=qr_data_uri,
    )
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def download_name(channel: Channel, what: str, extension: str) -> str:
    return f"safermk-survey-{channel.slug}-{what}.{extension}"
