"""gunicorn warms each worker up; the hook must never stop a worker from starting."""

from __future__ import annotations

from flask import Flask

from survey_app import warm_up


def test_warm_up_leaves_an_application_that_is_not_the_survey_alone():
    other = Flask("baseline")
    warm_up(other)  # would raise if it touched the database extension


def test_warm_up_survives_a_database_that_cannot_be_reached():
    from survey_app import create_app
    from survey_app.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
            "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 1}},
        }
    )
    warm_up(app)
    with app.app_context():
        db.engine.dispose()
