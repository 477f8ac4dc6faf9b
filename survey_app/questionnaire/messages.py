"""Every error message a resident can see, worded the GOV.UK way, in one place."""

MESSAGES = {
    "choose_one": "Select one of the options shown",
    "required_single": "Select an answer",
    "required_number": "Enter a number",
    "choose_from_list": "Select only options from the list shown",
    "too_many_choices": "Select up to {max_choices} options",
    "number_format": "Enter your answer as a whole number, like 34",
    "number_too_small": "Enter a number that is {min} or more",
    "number_too_large": "Enter a number that is {max} or less",
    "number_and_decline": "Enter a number or select '{decline}', not both",
    "text_too_long": "Your answer must be {max_length:,} characters or fewer",
    "write_in_too_long": "Your description must be {max_length:,} characters or fewer",
}


def message(key: str, question_messages: dict[str, str] | None = None, **values: object) -> str:
    """The message for `key`, preferring the question's own wording where the definition has it."""
    text = (question_messages or {}).get(key) or MESSAGES[key]
    return text.format(**values)
