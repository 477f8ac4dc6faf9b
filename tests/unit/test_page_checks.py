"""The page checker every functional test relies on fails on the mistakes it exists to catch."""

from __future__ import annotations

import pytest
from flask import Flask

from ..helpers import PageCheckError, PageCheckingClient

GOOD = (
    "<!DOCTYPE html><html lang='en'><head><title>Thank you - SaferMK</title></head><body>"
    "<main><h1>Thank you</h1><div class='govuk-panel__body'>{body}</div></main></body></html>"
)


def _client_for(body: str) -> PageCheckingClient:
    app = Flask(__name__)
    app.test_client_class = PageCheckingClient

    @app.route("/page")
    def page() -> str:
        return GOOD.format(body=body)

    return app.test_client()  # type: ignore[return-value]


def test_a_correct_page_passes():
    response = _client_for("Your reference<br><strong>H6YA-F4PJ</strong>").get("/page")
    assert response.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        "Your reference&lt;br&gt;&lt;strong&gt;H6YA-F4PJ&lt;/strong&gt;",
        "Line one&lt;br&gt;Line two",
        "Fish &amp;amp; chips",
        '&lt;span class="govuk-hint"&gt;Not answered&lt;/span&gt;',
    ],
)
def test_markup_shown_as_text_fails_the_page(body):
    with pytest.raises(PageCheckError, match="markup shown as text"):
        _client_for(body).get("/page")


def test_a_residents_own_angle_brackets_shown_back_are_not_markup():
    typed = "I typed &lt;script&gt;alert(1)&lt;/script&gt; and 3 &lt; 4"
    response = _client_for(typed).get("/page")
    assert response.status_code == 200
