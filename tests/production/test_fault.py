"""When PostgreSQL stops in the middle of residents' journeys, they are asked to try again,
keep what they typed, and after the restart finish with nothing lost.

The test starts a PostgreSQL server of its own (never the shared one), runs `flask setup`
against it and serves the app with gunicorn as deployed. Residents are part-way through the
survey, each with a question page open; one has reached check answers. PostgreSQL is then
stopped (pg_ctl stop -m fast) and started again; the residents carry on where they were.
"""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from benchmarks import residents

from ..helpers import FULL_ANSWERS
from .support import normalised, stored_form
from .throwaway_postgres import ThrowawayPostgres

GUNICORN_CONFIG = residents.ROOT / "gunicorn.conf.py"
# How many pages each resident has answered when the database stops. The last one has
# answered every page and is on check answers, about to submit.
PAGES_ANSWERED = (0, 1, 4, 9, 15, len(FULL_ANSWERS))
TIME_LIMIT = 180  # seconds for the residents' part; each request gives up after 30
SAVE_FAILED = "Sorry, we could not save your answers just now."
SERVICE_PROBLEM = "Sorry, there is a problem with the service"
TRY_AGAIN = "Please try again"


@pytest.fixture
def postgres_server() -> Iterator[ThrowawayPostgres]:
    server = ThrowawayPostgres(residents.free_port())
    try:
        server.initdb()
        server.start()
        yield server
    finally:
        server.remove()


@dataclass
class Walker:
    """A resident with a page open: where it is, and the token of the form on screen."""

    number: int
    resident: residents.Resident
    answers: dict[str, dict[str, Any]]
    location: str = ""
    token: str = ""

    @property
    def page_answers(self) -> dict[str, Any]:
        if self.location == "/check-answers":
            return {}
        return self.answers.get(residents.page_id_of(self.location), {})

    def free_text(self) -> str:
        return self.answers["anything-else"]["anything_else"]


def answers_for(number: int) -> dict[str, dict[str, Any]]:
    """Full answers, with an age and a comment that tell this resident's response apart."""
    answers = copy.deepcopy(FULL_ANSWERS)
    answers["age"] = {"age": str(30 + number)}
    answers["anything-else"] = {"anything_else": f"Resident {number}: more lighting, please."}
    return answers


def text_of(body: str) -> str:
    return " ".join(BeautifulSoup(body, "html.parser").get_text(" ").split())


def form_values(body: str) -> dict[str, Any]:
    """What the page's form would send now: checked boxes and radios, text, textareas."""
    form = BeautifulSoup(body, "html.parser").find("form", attrs={"method": "post"})
    assert form is not None, "no form on the page"
    values: dict[str, Any] = {}
    for field in form.find_all(["input", "textarea"]):
        name = field.get("name")
        if not name or name in ("csrf_token", "website"):
            continue
        if field.name == "textarea":
            values[name] = field.get_text().lstrip("\n")
        elif field.get("type") in ("radio", "checkbox"):
            if field.has_attr("checked"):
                values.setdefault(name, []).append(field["value"])
        elif field.get("value"):
            values[name] = field["value"]
    return {k: v[0] if isinstance(v, list) and len(v) == 1 else v for k, v in values.items()}


def assert_no_stack_trace(reply: residents.Reply) -> None:
    for marker in ("Traceback", 'File "', "sqlalchemy", "psycopg", "OperationalError"):
        assert marker not in reply.body, f"{marker!r} shown to a resident"


def bring_part_way(base_url: str, number: int, pages: int, deadline: float) -> Walker:
    """A resident who has answered `pages` pages and has the next page (or check answers) open."""
    walker = Walker(number, residents.Resident(base_url, deadline=deadline, timeout=30), {})
    walker.answers = answers_for(number)
    location = residents.begin(walker.resident, residents.CHANNEL_SLUGS[0])
    for _ in range(pages):
        if location == "/check-answers":
            break
        location = residents.answer_page(walker.resident, location, walker.answers)
    walker.location = location
    if location == "/check-answers":
        walker.token = residents.check_answers(walker.resident)
    else:
        page = walker.resident.fetch("question GET", location)
        walker.token = residents.csrf_token(page, location)
    return walker


def post_while_down(walker: Walker) -> None:
    """Continue (or submit) while the database is down: a 503 that keeps everything."""
    resident = walker.resident
    if walker.location == "/check-answers":
        reply = resident.request("submit POST", "/check-answers", {"csrf_token": walker.token})
        assert reply.status == 503, f"resident {walker.number} submit: {reply.status}"
        assert_no_stack_trace(reply)
        shown = text_of(reply.body)
        assert SERVICE_PROBLEM in shown
        assert "Your answers have not been submitted yet. Please try again" in shown
        assert "Try submitting again" in shown
    else:
        form = {**walker.page_answers, "csrf_token": walker.token}
        reply = resident.request("question POST", walker.location, form)
        assert reply.status == 503, f"resident {walker.number} {walker.location}: {reply.status}"
        assert_no_stack_trace(reply)
        assert SAVE_FAILED in text_of(reply.body), text_of(reply.body)[:500]
        assert "select Continue again" in text_of(reply.body)
        assert normalised(form_values(reply.body)) == normalised(walker.page_answers)
    walker.token = residents.csrf_token(reply, walker.location)


def assert_friendly_503(reply: residents.Reply, what: str) -> None:
    assert reply.status == 503, f"{what}: {reply.status}"
    assert_no_stack_trace(reply)
    shown = text_of(reply.body)
    assert SERVICE_PROBLEM in shown and TRY_AGAIN in shown, f"{what}: {shown[:300]}"


def get_while_down(base_url: str, walkers: list[Walker], deadline: float) -> None:
    """Pages that need the database say so kindly; pages that need none still work."""
    newcomer = residents.Resident(base_url, deadline=deadline, timeout=30)
    assert_friendly_503(newcomer.request("start page", "/"), "start page")
    assert_friendly_503(newcomer.request("start", "/start"), "/start")
    for walker in walkers:
        if walker.location != "/check-answers":
            reply = walker.resident.request("question GET", walker.location)
            assert_friendly_503(reply, f"resident {walker.number} GET {walker.location}")
    privacy = newcomer.request("privacy", "/privacy")
    assert privacy.status == 200
    health = newcomer.request("health", "/healthz")
    assert health.status == 503
    assert json.loads(health.body)["status"] == "unavailable"


def wait_until_healthy(base_url: str, timeout: float = 60) -> None:
    samples: list[residents.Sample] = []
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        reply = residents.send(residents.opener(), base_url + "/healthz", "health", samples)
        if reply.status == 200:
            return
        time.sleep(0.5)
    pytest.fail(f"/healthz still not 200 {timeout:.0f} s after PostgreSQL started again")


def finish(walker: Walker) -> None:
    """Continue again on the same page (or submit again), then finish the survey."""
    resident = walker.resident
    if walker.location == "/check-answers":
        reply = resident.fetch(
            "submit POST", "/check-answers", {"csrf_token": walker.token}, expect=302
        )
        assert reply.location == "/confirmation"
    else:
        form = {**walker.page_answers, "csrf_token": walker.token}
        reply = resident.fetch("question POST", walker.location, form, expect=302)
        residents.answer_remaining_pages(resident, reply.location, walker.answers)
        check = resident.fetch("check-answers GET", "/check-answers")
        assert walker.free_text() in text_of(check.body)
        residents.submit_answers(resident, residents.csrf_token(check))
    confirmation = resident.fetch("confirmation", "/confirmation")
    assert "Thank you" in text_of(confirmation.body)


def test_residents_are_asked_to_try_again_while_postgresql_is_down_and_lose_nothing(
    postgres_server: ThrowawayPostgres, tmp_path: Path
) -> None:
    env = residents.server_environment(postgres_server.url)
    residents.flask_setup(env)
    log = tmp_path / "gunicorn.log"
    with residents.gunicorn(
        "wsgi:app", env, log, config=GUNICORN_CONFIG, ready_path="/healthz"
    ) as base_url:
        deadline = time.monotonic() + TIME_LIMIT
        walkers = [
            bring_part_way(base_url, number, pages, deadline)
            for number, pages in enumerate(PAGES_ANSWERED)
        ]

        postgres_server.stop("fast")
        for walker in walkers:
            post_while_down(walker)
        get_while_down(base_url, walkers, deadline)

        postgres_server.start()
        wait_until_healthy(base_url)
        for walker in walkers:
            finish(walker)

    samples = [s for w in walkers for s in w.resident.samples]
    assert {s.status for s in samples} <= {200, 302, 503}
    served = residents.read_server_log(log)
    assert set(served.statuses) <= {200, 302, 503}, served.statuses
    assert served.problems == [], "\n\n".join(served.problems[:3])

    stored = residents.stored_responses(postgres_server.url)
    assert (stored.submitted, stored.in_progress) == (len(walkers), 0)
    by_age = {answers["age"]: normalised(answers) for answers in stored.answers}
    assert by_age == {30 + w.number: stored_form(w.answers) for w in walkers}
