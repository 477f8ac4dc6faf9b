"""The analyst's forms. Choice lists are filled in by the route from the database."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)

# SelectChoice is new in WTForms 3.3; the newest types-WTForms describes 3.2, without it.
from wtforms.fields.choices import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, InputRequired, Length

from ..models import USER_ROLES
from ..questionnaire.handler_base import with_plain_line_breaks, without_control_characters
from ..you_said_we_did import WE_DID_LIMIT, YOU_SAID_LIMIT


class NewChannelForm(FlaskForm):
    partner_id = SelectField(validators=[InputRequired("Select the partner")])
    name = StringField(validators=[InputRequired("Enter what the channel is")])
    slug = StringField(validators=[InputRequired("Enter the link's short name")])


class RenameChannelForm(FlaskForm):
    name = StringField(
        validators=[
            InputRequired("Enter what the channel is"),
            Length(max=200, message="What the channel is must be 200 characters or fewer"),
        ]
    )


class MoveChannelForm(FlaskForm):
    partner_id = SelectField(validators=[InputRequired("Select the partner")])


class PartnerForm(FlaskForm):
    name = StringField(validators=[InputRequired("Enter the partner organisation's name")])


class NewUserForm(FlaskForm):
    email = EmailField(validators=[InputRequired("Enter the email address")])
    role = RadioField(
        choices=[SelectChoice(role, role.capitalize()) for role in USER_ROLES],
        validators=[InputRequired("Select whether they are an analyst or a partner")],
    )
    partner_id = SelectField(validate_choice=False)


class ReportForm(FlaskForm):
    kind = RadioField(
        choices=[
            SelectChoice("interim", "Interim report"),
            SelectChoice("final", "Final report (weighted)"),
        ],
        validators=[InputRequired("Select which report")],
    )
    # Which wave, when the survey has run more than once: choices are set per request (the
    # page shows them only then) and checked by the route, so a form without it means the
    # open or newest wave.
    wave = RadioField(validate_choice=False)


class ExportForm(FlaskForm):
    export_format = RadioField(
        choices=[
            SelectChoice("csv", "CSV"),
            SelectChoice("xlsx", "Excel (XLSX)"),
            SelectChoice("sav", "SPSS (SAV)"),
        ],
        validators=[InputRequired("Select a format")],
    )
    include_free_text = BooleanField()
    wave = RadioField(validate_choice=False, id="export-wave")


class PaperStartForm(FlaskForm):
    channel_id = SelectField(validators=[InputRequired("Select the channel the form came from")])


REASON_LIMIT = 1000


def _clean_reason(value: str | None) -> str | None:
    return without_control_characters(value.strip()) if isinstance(value, str) else value


def _reason(prompt: str) -> TextAreaField:
    return TextAreaField(
        filters=[_clean_reason],
        validators=[
            DataRequired(prompt),
            Length(
                max=REASON_LIMIT, message=f"The reason must be {REASON_LIMIT:,} characters or fewer"
            ),
        ],
    )


class QualityDecisionForm(FlaskForm):
    action = RadioField(
        choices=[
            SelectChoice("exclude", "Exclude them from every report and export"),
            SelectChoice("keep", "Keep them: they look genuine"),
        ],
        validators=[InputRequired("Select whether to exclude or keep these responses")],
    )
    reason = _reason("Enter the reason for your decision")
    # How many responses the analyst saw, so a group that grew meanwhile is not decided unseen.
    expected = HiddenField()


class UndoDecisionForm(FlaskForm):
    reason = _reason("Enter why the decision is being undone")


def _clean_entry(value: str | None) -> str | None:
    return (
        without_control_characters(with_plain_line_breaks(value.strip()))
        if isinstance(value, str)
        else value
    )


class YouSaidWeDidForm(FlaskForm):
    you_said = TextAreaField(
        filters=[_clean_entry],
        validators=[
            DataRequired("Enter what residents said"),
            Length(
                max=YOU_SAID_LIMIT,
                message=f"What residents said must be {YOU_SAID_LIMIT:,} characters or fewer",
            ),
        ],
    )
    we_did = TextAreaField(
        filters=[_clean_entry],
        validators=[
            DataRequired("Enter what the partnership did or will do"),
            Length(
                max=WE_DID_LIMIT,
                message=(f"What the partnership did must be {WE_DID_LIMIT:,} characters or fewer"),
            ),
        ],
    )


def choices(pairs: list[tuple[str, str]], prompt: str | None = None) -> list[SelectChoice]:
    """Select options from (value, label) pairs, optionally led by an empty prompt."""
    options = [SelectChoice("", prompt)] if prompt else []
    return options + [SelectChoice(value, label) for value, label in pairs]
