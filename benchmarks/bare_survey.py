"""Bare surveys: what the same journey costs with far less than the service does.

benchmarks/journeys.py measures the survey beside two apps that answer the same URLs for the
same virtual residents, served by gunicorn exactly as the survey is (same worker count, same
database, same engine settings):

* the bare survey (`create_bare_survey`): the questionnaire drawn with the same GOV.UK Frontend
  macros (govuk-frontend-jinja) in plain Jinja templates (benchmarks/bare_survey_templates),
  Flask-WTF's CSRF protection, a signed session cookie, the response's answers read from the
  database to fill the page in and merged into its row as each page is posted, a check-answers
  summary list and a confirmation panel. What a survey written in an afternoon with the same
  tools would do, and no more: no questionnaire engine, validation, routing rules, error pages,
  rate limits, response-quality checks, security headers or request log.
* the static pages (`create_static_survey`): the very HTML the survey served (captured from one
  journey through the service, so the markup weighs the same) with the session's CSRF token put
  in, and the same database work as the bare survey. The floor: what Flask, a cookie and one
  table cost with nothing drawn at all.

Both are started with BARE_SURVEY_PAGES naming the JSON file journeys.py writes from that
captured journey: {"pages": {path: html}, "order": [question page paths in the order the
survey led]}, each page's CSRF token replaced by CSRF_PLACEHOLDER. The bare survey uses only
"order", so it leads residents through the same pages as the survey did.

    gunicorn 'benchmarks.bare_survey:create_bare_survey()'
    gunicorn 'benchmarks.bare_survey:create_static_survey()'
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, redirect, render_template, request, session
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
    update,
)
from sqlalchemy.engine import Engine

from survey_app.config import load_settings
from survey_app.database import configure_engine
from survey_app.questionnaire.definition import DEFAULT_DEFINITION

CSRF_PLACEHOLDER = "@@csrf-token@@"
TEMPLATES = Path(__file__).with_name("bare_survey_templates")
metadata = MetaData()
bare_responses = Table(
    "bench_bare_responses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(60)),
    Column("answers", Text, nullable=False),
    Column("status", String(20), nullable=False),
)
Answers = dict[str, list[str]]


class Store:
    """The responses table, through the same engine settings as the survey's."""

    def __init__(self, settings: Mapping[str, Any]) -> None:
        self.engine: Engine = create_engine(
            settings["SQLALCHEMY_DATABASE_URI"], **settings["SQLALCHEMY_ENGINE_OPTIONS"]
        )
        configure_engine(self.engine)

    def begin(self, channel: str | None) -> int:
        with self.engine.begin() as connection:
            row = connection.execute(
                insert(bare_responses).values(channel=channel, answers="{}", status="in_progress")
            )
            return int(row.inserted_primary_key[0])

    def answers(self, response_id: int) -> Answers:
        with self.engine.connect() as connection:
            query = select(bare_responses.c.answers).where(bare_responses.c.id == response_id)
            return json.loads(connection.scalar(query) or "{}")

    def save(self, response_id: int, posted: Answers) -> None:
        row = bare_responses.c.id == response_id
        with self.engine.begin() as connection:
            answers = json.loads(connection.scalar(select(bare_responses.c.answers).where(row)))
            answers.update(posted)
            connection.execute(
                update(bare_responses).where(row).values(answers=json.dumps(answers))
            )

    def submit(self, response_id: int) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(bare_responses)
                .where(bare_responses.c.id == response_id)
                .values(status="submitted")
            )


def _captured() -> dict[str, Any]:
    with open(os.environ["BARE_SURVEY_PAGES"], encoding="utf-8") as handle:
        return json.load(handle)


def _journey_app(
    app: Flask,
    store: Store,
    order: list[str],
    draw: Callable[[str, Answers], str | Response],
    check_csrf: Callable[[], None],
) -> Flask:
    """The journey's URLs, shared by both apps; `draw(path, answers)` makes each page."""
    next_path = dict(zip(order, [*order[1:], "/check-answers"], strict=True))

    def answers() -> Answers:
        return store.answers(session["response_id"]) if "response_id" in session else {}

    @app.get("/s/<slug>")
    def channel_link(slug: str) -> Any:
        session["channel"] = slug
        return redirect("/")

    @app.get("/")
    def start_page() -> Any:
        return draw("/", {})

    @app.get("/start")
    def start() -> Any:
        session["response_id"] = store.begin(session.get("channel"))
        return redirect(order[0])

    @app.get("/questions/<page_id>")
    def question(page_id: str) -> Any:
        path = f"/questions/{page_id}"
        if path not in next_path:
            abort(404)
        return draw(path, answers())

    @app.post("/questions/<page_id>")
    def save(page_id: str) -> Any:
        check_csrf()
        path = f"/questions/{page_id}"
        if path not in next_path or "response_id" not in session:
            abort(404)
        posted = {k: request.form.getlist(k) for k in request.form if k != "csrf_token"}
        store.save(session["response_id"], posted)
        return redirect(next_path[path])

    @app.get("/check-answers")
    def check_answers() -> Any:
        return draw("/check-answers", answers())

    @app.post("/check-answers")
    def submit() -> Any:
        check_csrf()
        store.submit(session.pop("response_id"))
        return redirect("/confirmation")

    @app.get("/confirmation")
    def confirmation() -> Any:
        return draw("/confirmation", {})

    return app


def create_static_survey() -> Flask:
    settings = load_settings()
    captured = _captured()
    pages: dict[str, str] = captured["pages"]
    app = Flask(__name__)
    app.secret_key = settings["SECRET_KEY"]

    def draw(path: str, _answers: Answers) -> Response:
        token = session.setdefault("csrf_token", secrets.token_urlsafe(32))
        html = pages[path].replace(CSRF_PLACEHOLDER, token)
        return Response(html, content_type="text/html; charset=utf-8")

    def check_csrf() -> None:
        if request.form.get("csrf_token") != session.get("csrf_token"):
            abort(400)

    return _journey_app(app, Store(settings), captured["order"], draw, check_csrf)


def _option_items(question: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"value": o["value"], "text": o["label"]} for o in question["options"]]


def _summary_rows(
    definition: Mapping[str, Any], shown: set[str], answers: Answers
) -> list[dict[str, Any]]:
    rows = []
    for page in definition["pages"]:
        if page["id"] not in shown:
            continue
        for question in page["questions"]:
            labels = {o["value"]: o["label"] for o in question.get("options", [])}
            keys = [item["id"] for item in question.get("items", [])] or [question["id"]]
            given = [labels.get(v, v) for key in keys for v in answers.get(key, [])]
            rows.append(
                {
                    "key": {"text": question["label"]},
                    "value": {"text": ", ".join(given) or "Not answered"},
                    "actions": {
                        "items": [
                            {
                                "href": f"/questions/{page['id']}",
                                "text": "Change",
                                "visuallyHiddenText": question["label"],
                            }
                        ]
                    },
                }
            )
    return rows


def create_bare_survey() -> Flask:
    settings = load_settings()
    order: list[str] = _captured()["order"]
    definition = json.loads(Path(DEFAULT_DEFINITION).read_text(encoding="utf-8"))
    pages = {f"/questions/{page['id']}": page for page in definition["pages"]}
    shown = {path.removeprefix("/questions/") for path in order}
    app = Flask(__name__)
    app.secret_key = settings["SECRET_KEY"]
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.globals["options"] = _option_items
    CSRFProtect(app)

    def draw(path: str, answers: Answers) -> str:
        if path == "/":
            return render_template("start.html", title="Feeling safe in Milton Keynes")
        if path == "/check-answers":
            rows = _summary_rows(definition, shown, answers)
            return render_template("check_answers.html", title="Check your answers", rows=rows)
        if path == "/confirmation":
            return render_template("confirmation.html", title="Your answers have been sent")
        page = pages[path]
        view = {"questions": page["questions"], "part": order.index(path) + 1}
        return render_template("question.html", title=page["title"], page=view, answers=answers)

    return _journey_app(app, Store(settings), order, draw, check_csrf=lambda: None)
