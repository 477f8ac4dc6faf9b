"""Extension objects, created here and bound to an app in create_app()."""

from typing import TYPE_CHECKING, ClassVar

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, Table
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
# Limits apply only where a route asks for one (survey posts, sign-in). Counts live only in the
# limiter's storage (memory, or Redis when configured) and expire; no address reaches the database.
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def _reading_is_never_limited() -> bool:
    """Every limit is on posts (answers, sign-ins), so a page being read is let through before
    the limiter works out which limits apply, which cost more than the rest of its work."""
    return request.method in ("GET", "HEAD", "OPTIONS")


# The tables' base class. db.Model is made when db is, from Base's metadata and Flask-SQLAlchemy's
# Model, so a type checker cannot follow it; for the checker, this class says what it is.
if TYPE_CHECKING:
    from flask_sqlalchemy.model import Model as FlaskSQLAlchemyModel

    class Model(FlaskSQLAlchemyModel, Base):
        # Every table class here is mapped to one Table.
        __table__: ClassVar[Table]
else:
    Model = db.Model
