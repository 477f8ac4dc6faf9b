from flask import Flask
from sqlalchemy import inspect

from reporting import queries
from survey_app.extensions import db
from survey_app.models import DERIVED_DIMENSIONS


def test_reports_group_by_the_same_derived_dimensions_the_app_stores():
    assert queries.DERIVED_DIMENSIONS == DERIVED_DIMENSIONS


def test_every_column_reports_read_exists_in_the_migrated_schema(app: Flask) -> None:
    with app.app_context():
        inspector = inspect(db.engine)
        for table in (
            queries.surveys,
            queries.partners,
            queries.channels,
            queries.responses,
            queries.population_benchmarks,
        ):
            migrated = {column["name"] for column in inspector.get_columns(table.name)}
            assert set(table.columns.keys()) <= migrated, table.name
