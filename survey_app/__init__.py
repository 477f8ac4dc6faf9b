"""SaferMK Survey: the residents' perception-of-crime survey and its reports."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from jinja2 import ChoiceLoader, PackageLoader, PrefixLoader

from .config import load_settings
from .extensions import db, limiter, migrate


def create_app(config_overrides: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, static_folder="static", static_url_path="/static")
    _configure(app, config_overrides)
    _register_logging_and_security(app)
    _register_extensions(app)
    _register_templates(app)
    _register_blueprints(app)
    _register_cli(app)
    return app


def _configure(app: Flask, config_overrides: Mapping[str, Any] | None) -> None:
    app.config.from_mapping(load_settings())
    if config_overrides:
        app.config.from_mapping(config_overrides)
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(days=app.config["RESUME_DAYS"])
    # A failed statement's parameters are residents' answers, free text and token hashes:
    # SQLAlchemy leaves them out of its error messages, and so out of every log.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {}),
        "hide_parameters": True,
    }
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind the configured number of proxies the client is the address they forwarded,
        # so rate limits count each client, not the proxy; no header is trusted otherwise.
        proxies = app.config["TRUSTED_PROXIES"]
        # Flask's documented way to add WSGI middleware; mypy takes it for replacing a method.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.config["TESTING"] = app.config.get("TESTING", app.config["SAFERMK_ENV"] == "test")


def _register_logging_and_security(app: Flask) -> None:
    from .logging_setup import configure_logging
    from .security import register_security

    configure_logging(app)
    register_security(app)


def _register_extensions(app: Flask) -> None:
    db.init_app(app)
    limiter.init_app(app)
    migrate.init_app(app, db, directory=str(_migrations_dir()), render_as_batch=True)
    from .auth import init_auth

    init_auth(app)
    from .languages import init_app as init_languages

    init_languages(app)
    from .jobs import init_app as init_jobs

    init_jobs(app)
    with app.app_context():
        from .database import configure_engine

        configure_engine(db.engine)


def _migrations_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "migrations"


def _register_templates(app: Flask) -> None:
    own_templates = app.jinja_loader
    assert own_templates is not None, "the app has its own templates folder"
    app.jinja_loader = ChoiceLoader(
        [
            own_templates,
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    from .presentation import register_filters

    register_filters(app)


def _register_blueprints(app: Flask) -> None:
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .errors import register_error_handlers
    from .health import bp as health_bp
    from .partners import bp as partners_bp
    from .public import bp as public_bp
    from .results_pages import bp as results_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(results_bp)
    register_error_handlers(app)


def _register_cli(app: Flask) -> None:
    from .cli import register_commands

    register_commands(app)


def warm_up(app: object) -> None:
    """Load the open survey's questionnaire into this process; quietly skip if it cannot.

    gunicorn calls this for whatever application it serves from this folder, so anything that is
    not this service's app is left alone.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from . import responses

    if not isinstance(app, Flask) or "sqlalchemy" not in app.extensions:
        return
    with app.app_context():
        try:
            survey = responses.open_survey()
            if survey is not None:
                responses.questionnaire_for(survey)
        except SQLAlchemyError:
            db.session.rollback()
        finally:
            db.session.remove()
