"""The migrations are the schema: they must agree with the models on every database."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from survey_app import create_app
from survey_app.extensions import db


def test_migrations_and_models_agree(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_responses_have_no_column_for_ip_address_or_user_agent(app):
    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("responses")}
    assert not {name for name in columns if "ip" in name.split("_") or "agent" in name}
    assert {"age_band", "ethnic_group", "channel_id", "submitted_on"} <= columns


def test_embedded_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'wal.sqlite3'}"})
    with app.app_context(), db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        db.engine.dispose()


def test_channels_sharing_a_name_are_told_apart_before_names_become_unique(tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'names.sqlite3'}"})
    with app.app_context():
        upgrade(revision="0002")
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO partners (id, name) VALUES (1, 'Age UK')"))
            for slug in ("one", "two", "three"):
                connection.execute(
                    text(
                        "INSERT INTO channels (slug, name, partner_id, archived, created_on) "
                        "VALUES (:slug, 'Posters', 1, false, '2026-10-01')"
                    ),
                    {"slug": slug},
                )
        upgrade()
        with db.engine.connect() as connection:
            names = connection.execute(text("SELECT name FROM channels ORDER BY id")).scalars()
            assert list(names) == ["Posters", "Posters (2)", "Posters (3)"]
        downgrade(revision="0002")
        db.engine.dispose()


def test_questionnaire_versions_loaded_before_waves_become_waves_in_order(tmp_path):
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'waves.sqlite3'}"})
    with app.app_context():
        upgrade(revision="0007")
        with db.engine.begin() as connection:
            for slug, version in (("perceptions", 1), ("easy-read", 1), ("perceptions", 2)):
                connection.execute(
                    text(
                        "INSERT INTO surveys (slug, version, title, definition, status) "
                        "VALUES (:slug, :version, 'A survey', '{}', 'closed')"
                    ),
                    {"slug": slug, "version": version},
                )
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(
                text("SELECT slug, version, wave, imported_from FROM surveys ORDER BY id")
            ).all()
        assert [tuple(row) for row in rows] == [
            ("perceptions", 1, 1, None),
            ("easy-read", 1, 1, None),
            ("perceptions", 2, 2, None),
        ]
        downgrade(revision="0007")
        with db.engine.connect() as connection:
            assert "wave" not in {c["name"] for c in inspect(connection).get_columns("surveys")}
        db.engine.dispose()
