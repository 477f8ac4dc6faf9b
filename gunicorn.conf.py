"""gunicorn settings for production: `gunicorn --config gunicorn.conf.py wsgi:app`."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from survey_app.logging_setup import AddressFreeFilter

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Survey requests are short and mostly wait on the database: two workers a core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
timeout = 30
graceful_timeout = 20
# gunicorn's access log would record addresses and user agents; the service logs requests itself.
accesslog = None
errorlog = "-"


class AddressFreeLogger(Logger):
    """gunicorn's error log, without the client addresses it names (invalid requests)."""

    def setup(self, cfg):  # type: ignore[no-untyped-def]
        super().setup(cfg)
        self.error_log.addFilter(AddressFreeFilter())


logger_class = AddressFreeLogger
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Parse the open questionnaire before the first request, so that a page posted while the
    database is unreachable can still be shown again with the resident's answers."""
    from survey_app import warm_up

    warm_up(worker.wsgi)
