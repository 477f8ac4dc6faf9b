"""A line break in a typed answer counts as one character, as the text box counts it.

Browsers post each line break in a text box as CR LF ("\\r\\n"), while the box's maxlength and
its character count take it as one character. The pages count and store every line break as a
single "\\n", so a comment the box accepted is never refused as too long.
"""

from __future__ import annotations

from ..helpers import answer_page, complete_survey, error_messages, stored_responses

COMMENT_LIMIT = 2_000
WRITE_IN_LIMIT = 100
LINE = "More lighting on the redways, please."


def as_browsers_post(text: str) -> str:
    """The text with each line break as a browser posts it."""
    return text.replace("\n", "\r\n")


def comment_of_length(length: int) -> str:
    """A comment of many short lines, `length` characters with each line break counted once."""
    lines = "\n".join([LINE] * (length // (len(LINE) + 1) + 1))
    return lines[: length - 1] + "."


def test_a_comment_at_the_limit_with_line_breaks_is_accepted_and_stored_with_newlines(app, client):
    comment = comment_of_length(COMMENT_LIMIT)
    posted = as_browsers_post(comment)
    assert len(comment) == COMMENT_LIMIT and len(posted) > COMMENT_LIMIT + 50
    complete_survey(client, {"age": {"age": "30"}}, submit=False)

    page = answer_page(
        client, "anything-else", {"anything_else": posted}, query_string={"change": "1"}
    )

    assert page.status_code == 302, error_messages(page)
    assert stored_responses(app)[0].answers["anything_else"] == comment


def test_a_comment_over_the_limit_with_line_breaks_is_refused(app, client):
    posted = as_browsers_post(comment_of_length(COMMENT_LIMIT + 1))
    complete_survey(client, {"age": {"age": "30"}}, submit=False)

    page = answer_page(
        client, "anything-else", {"anything_else": posted}, query_string={"change": "1"}
    )

    assert page.status_code == 200
    assert error_messages(page) == ["Your answer must be 2,000 characters or fewer"]
    assert "anything_else" not in stored_responses(app)[0].answers


def test_a_lone_carriage_return_is_stored_as_a_newline(app, client):
    complete_survey(client, {"age": {"age": "30"}}, submit=False)
    answer_page(
        client,
        "anything-else",
        {"anything_else": "Too dark\rat night\r\n\r\nand fast cars"},
        query_string={"change": "1"},
    )
    stored = stored_responses(app)[0].answers["anything_else"]
    assert stored == "Too dark\nat night\n\nand fast cars"


def test_a_write_in_counts_a_line_break_once(app, client):
    write_in = ("Queer\n" * 20)[: WRITE_IN_LIMIT - 1] + "."
    complete_survey(client, {"age": {"age": "30"}}, submit=False)

    page = answer_page(
        client,
        "sexual-orientation",
        {"sexual_orientation": "other", "sexual_orientation_other": as_browsers_post(write_in)},
        query_string={"change": "1"},
    )

    assert page.status_code == 302, error_messages(page)
    assert stored_responses(app)[0].answers["sexual_orientation_other"] == write_in
