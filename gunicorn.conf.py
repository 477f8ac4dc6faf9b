"""gunicorn settings for production: `gunicorn --config gunicorn.conf.py wsgi:app`."""

import multiprocessing
import os

from gunicorn.glogging import Logger

from survey_app.logging_setup import AddressFreeFilter

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Survey requests are short and mostly wait on the database: two workers a core, plus one.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
# Threads, so that a client sending its request slowly (a poor mobile connection, or on purpose)
# holds one thread, not a whole worker: with sync workers, as many slow clients as workers stop
# the service. Each thread may hold a database connection, so keep threads at or below
# DATABASE_POOL_SIZE (5). Threads do not make the service proof against deliberately slow
# clients (workers x threads of them still fill it): production needs the buffering proxy the
# README describes in front.
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A worker takes a connection only when it has a thread free for it. With more, a worker whose
# threads all wait on slow clients would still take requests and queue them behind those
# clients, while another worker stood idle.
worker_connections = threads
# So no connection is kept open between requests, as with sync workers: each one kept would
# count against worker_connections. (The proxy in front keeps browsers' connections open.)
keepalive = 0
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
