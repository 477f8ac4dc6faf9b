"""The baseline for benchmarks/journeys.py: a bare Flask endpoint that inserts one row.

Served by gunicorn exactly as the survey app is, against the same database with the same
engine settings (pool options from survey_app.config, SQLite pragmas from
survey_app.database), so the only difference from a resident's final submit is the
application's own work. journeys.py creates the table before starting the server, which
it does with `gunicorn 'benchmarks.baseline_app:create_baseline_app()'`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import Flask
from sqlalchemy import Column, Date, Integer, MetaData, Table, create_engine, insert

from survey_app.config import load_settings
from survey_app.database import configure_engine

metadata = MetaData()
bench_baseline = Table(
    "bench_baseline",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created", Date, nullable=False),
)


def create_baseline_app() -> Flask:
    settings: dict[str, Any] = load_settings()
    engine = create_engine(
        settings["SQLALCHEMY_DATABASE_URI"], **settings["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    configure_engine(engine)
    baseline = Flask(__name__)

    @baseline.post("/insert")
    def insert_row() -> tuple[str, int]:
        with engine.begin() as connection:
            connection.execute(insert(bench_baseline).values(created=dt.date.today()))
        return "", 204

    return baseline
