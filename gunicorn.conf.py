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


def on_starting(server):  # type: ignore[no-untyped-def]
    """More than one worker needs shared rate-limit counters: with each worker counting alone,
    every limit is multiplied by the number of workers."""
    storage = os.environ.get("RATELIMIT_STORAGE_URI") or "memory://"
    if server.cfg.workers > 1 and storage.startswith("memory://"):
        raise SystemExit(
            f"RATELIMIT_STORAGE_URI must name shared storage (redis://host:6379) when gunicorn "
            f"runs {server.cfg.workers} workers; memory:// counts each worker alone"
        )


def post_worker_init(worker):  # type: ignore[no-untyped-def]
    """Parse the open questionnaire before the first request, so that a page posted while the
    database is unreachable can still be shown again with the resident's answers."""
    from survey_app import warm_up

    warm_up(worker.wsgi)
