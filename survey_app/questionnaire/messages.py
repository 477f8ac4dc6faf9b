"""Every error message a resident can see, worded the GOV.UK way, in one place.

Each is translated (a catalogue per language); a question's own wording in its definition is
translated with the questionnaire.
"""

import re

from flask_babel import LazyString, format_decimal
from flask_babel import lazy_gettext as _l

MESSAGES: dict[str, LazyString] = {
    "choose_one": _l("Select one of the options shown"),
    "required_single": _l("Select an answer"),
    "required_number": _l("Enter a number"),
    "choose_from_list": _l("Select only options from the list shown"),
    "too_many_choices": _l("Select up to {max_choices} options"),
    "number_format": _l("Enter your answer as a whole number, like 34"),
    "number_too_small": _l("Enter a number that is {min} or more"),
    "number_too_large": _l("Enter a number that is {max} or less"),
    "number_and_decline": _l("Enter a number or select '{decline}', not both"),
    "text_too_long": _l("Your answer must be {max_length} characters or fewer"),
    "write_in_too_long": _l("Your description must be {max_length} characters or fewer"),
}
# A placeholder's format spec ("{max_length:,}"): numbers are written the language's way instead.
FORMAT_SPEC = re.compile(r"\{(\w+):[^}]*\}")


def message(key: str, question_messages: dict[str, str] | None = None, **values: object) -> str:
    """The message for `key`, preferring the question's own wording where the definition has it;
    numbers in it written the way the page's language writes them (2,000 in English, 2 000 in
    Polish, 2.000 in Romanian)."""
    text = (question_messages or {}).get(key) or str(MESSAGES[key])
    shown = {
        name: format_decimal(value)
        if isinstance(value, int) and not isinstance(value, bool)
        else value
        for name, value in values.items()
    }
    return FORMAT_SPEC.sub(r"{\1}", text).format(**shown)
