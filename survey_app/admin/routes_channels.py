"""Channels: list, create, rename, move to another partner, archive and restore."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm

from ..errors import parse_row_id, row_id_or_404
from ..extensions import db
from ..forms import ConfirmForm, add_error, entered, error_list, refresh_expired_token
from ..models import Channel, Partner
from ..partners import assets
from . import bp, channel_admin
from .forms import MoveChannelForm, NewChannelForm, RenameChannelForm, choices


def _channel_or_404(channel_id: int) -> Channel:
    channel = channel_admin.get_channel(row_id_or_404(channel_id))
    if channel is None:
        abort(404)
    return channel


def _partner_or_error(form: FlaskForm) -> Partner | None:
    chosen = parse_row_id(form.partner_id.data)
    partner = channel_admin.get_partner(chosen) if chosen is not None else None
    if partner is None:
        add_error(form.partner_id, "Select the partner")
    return partner


@bp.route("/channels")
def channels() -> Any:
    return render_template(
        "admin/channels.html",
        active=channel_admin.channel_rows(archived=False),
        archived=channel_admin.channel_rows(archived=True),
    )


@bp.route("/channels/new", methods=["GET", "POST"])
def channel_new() -> Any:
    form = NewChannelForm()
    form.partner_id.choices = choices(channel_admin.partner_choices(), "Select a partner")
    if form.validate_on_submit():
        partner = _partner_or_error(form)
        if partner is not None:
            try:
                channel = channel_admin.create_channel(
                    entered(form.slug), entered(form.name), partner
                )
            except channel_admin.ChannelError as error:
                add_error(form[error.field], str(error))
            else:
                flash(f"Channel {channel.name} created.", "success")
                return redirect(url_for("admin.channel_detail", channel_id=channel.id))
    refresh_expired_token(form)
    return render_template("admin/channel_new.html", form=form, errors=error_list(form))


def _render_detail(
    channel: Channel,
    rename: RenameChannelForm | None = None,
    move: MoveChannelForm | None = None,
    status: int = 200,
) -> Any:
    rename = rename or RenameChannelForm(formdata=None, name=channel.name)
    move = move or MoveChannelForm(formdata=None, partner_id=str(channel.partner_id))
    move.partner_id.choices = choices(channel_admin.partner_choices())
    counts = channel_admin.response_counts_by_channel().get(channel.id, {})
    errors = (error_list(rename) if rename.errors else []) + (
        error_list(move) if move.errors else []
    )
    return render_template(
        "admin/channel_detail.html",
        channel=channel,
        link=assets.channel_link(channel),
        counts=counts,
        rename_form=rename,
        move_form=move,
        archive_form=ConfirmForm(),
        errors=errors,
    ), status


@bp.route("/channels/<int:channel_id>")
def channel_detail(channel_id: int) -> Any:
    return _render_detail(_channel_or_404(channel_id))


@bp.route("/channels/<int:channel_id>/rename", methods=["POST"])
def channel_rename(channel_id: int) -> Any:
    channel = _channel_or_404(channel_id)
    form = RenameChannelForm()
    if form.validate_on_submit():
        try:
            channel_admin.rename_channel(channel, entered(form.name))
        except channel_admin.ChannelError as error:
            add_error(form.name, str(error))
        else:
            flash("Channel renamed.", "success")
            return redirect(url_for("admin.channel_detail", channel_id=channel.id))
    refresh_expired_token(form)
    return _render_detail(channel, rename=form)


@bp.route("/channels/<int:channel_id>/move", methods=["POST"])
def channel_move(channel_id: int) -> Any:
    channel = _channel_or_404(channel_id)
    form = MoveChannelForm()
    form.partner_id.choices = choices(channel_admin.partner_choices())
    if form.validate_on_submit():
        partner = _partner_or_error(form)
        if partner is not None:
            try:
                channel_admin.move_channel(channel, partner)
            except channel_admin.ChannelError as error:
                db.session.rollback()
                add_error(form.partner_id, str(error))
            else:
                flash(f"Channel moved to {partner.name}.", "success")
                return redirect(url_for("admin.channel_detail", channel_id=channel.id))
    refresh_expired_token(form)
    return _render_detail(channel, move=form)


@bp.route("/channels/<int:channel_id>/archive", methods=["POST"])
def channel_archive(channel_id: int) -> Any:
    channel = _channel_or_404(channel_id)
    if ConfirmForm().validate_on_submit():
        archive = request.form.get("archive") != "restore"
        channel_admin.set_archived(channel, archive)
        flash("Channel archived." if archive else "Channel restored.", "success")
    return redirect(url_for("admin.channel_detail", channel_id=channel.id))
