"""Long work off the request: reports and exports made by a background worker.

Huey keeps the queue: an SQLite file by default (no server to install), Redis in production so
that every server and worker shares it. What people see lives in the app's own database, in the
`jobs` table: status, progress, the files made and any failure, so any server can show a job's
page. A request for work already queued or running (the same `key`) joins it rather than
starting it again. A running job is touched every few seconds; one left untouched for
STOPPED_AFTER belonged to a worker that stopped, and is shown as failed. Each worker also
records a heartbeat, read by `flask jobs health` and by the job page when nothing starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from sqlalchemy import and_, delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from reporting.errors import Refused

from .database import rows_changed
from .extensions import db
from .models import ACTIVE_JOB_STATUSES, Job, WorkerBeat

log = logging.getLogger(__name__)

TOUCH_EVERY_SECONDS = 10
STOPPED_AFTER = dt.timedelta(minutes=2)
LOST_AFTER = dt.timedelta(minutes=10)
BEAT_EVERY_SECONDS = 30
WORKER_LATE_AFTER = dt.timedelta(minutes=2)
PROGRESS_EVERY_SECONDS = 0.5
KEEP_FINISHED_JOBS = dt.timedelta(days=30)
# Publishing a wave's results to residents (survey_app.results): no files, a public page.
PUBLISH = "publish"

STOPPED_MESSAGE = (
    "This stopped before it finished because the background worker running it stopped. "
    "Start it again from the reports page."
)
LOST_MESSAGE = (
    "This never started: the background worker's queue lost it. Ask for it again from the "
    "reports page."
)
QUEUE_DOWN_MESSAGE = (
    "This could not be started because the background worker's queue could not be reached. "
    "Try again in a few minutes; if it fails again, tell whoever runs the service."
)
FAILED_MESSAGE = (
    "Something went wrong while making this, and it has been logged. Try again; if it fails "
    "again, tell whoever runs the service and give them this page's address."
)

Progress = Callable[[int, int, str], None]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def make_huey(url: str, name: str) -> Huey:
    """The queue at JOBS_URL. `memory://` keeps tasks in this process until something runs
    them (tests run them one by one)."""
    if url == "memory://":
        return MemoryHuey(name, results=False)
    if url.startswith("sqlite:///"):
        return SqliteHuey(name, filename=url[len("sqlite:///") :], results=False)
    return RedisHuey(name, url=url, results=False)


@dataclass
class JobQueue:
    """The app's queue and its one task, kept in app.extensions["jobs"]."""

    huey: Huey
    run_job: Any  # huey's TaskWrappers: calling one enqueues it
    refresh_live: Any

    def run_pending(self) -> int:
        """Run every queued task here and now, one after another; returns how many ran. For
        tests; the worker is what runs them in service."""
        ran = 0
        while (task := self.huey.dequeue()) is not None:
            self.huey.execute(task)
            ran += 1
        return ran


def init_app(app: Flask) -> None:
    huey = make_huey(app.config["JOBS_URL"], app.config["JOBS_QUEUE_NAME"])

    @huey.task(name="run_job")
    def run_job(job_id: str) -> None:
        with app.app_context():
            try:
                _run(job_id)
            finally:
                db.session.remove()

    @huey.task(name="refresh_live")
    def refresh_live(name: str, survey_id: int) -> None:
        from . import live

        with app.app_context():
            try:
                live.refresh(name, survey_id)
            finally:
                db.session.remove()

    app.extensions["jobs"] = JobQueue(huey, run_job, refresh_live)


def queue() -> JobQueue:
    jobs: JobQueue = current_app.extensions["jobs"]
    return jobs


# Starting and joining ----------------------------------------------------------------------


def start(
    kind: str, params: dict[str, Any], *, survey_id: int | None, user_id: int | None
) -> tuple[Job, bool]:
    """Queue the work, or join the same work already queued or running; returns the job and
    whether it was joined."""
    if kind not in WORK:
        raise ValueError(f"Unknown job kind {kind!r}")
    key = f"{kind}:{survey_id}:" + ",".join(f"{name}={params[name]}" for name in sorted(params))
    mark_stopped_jobs()
    existing = _active(key)
    if existing is not None:
        return existing, True
    now = _now()
    job = Job(
        id=uuid.uuid4().hex,
        kind=kind,
        key=key,
        params=params,
        survey_id=survey_id,
        status="queued",
        done=0,
        total=0,
        step="Waiting to start",
        files=[],
        requested_by_user_id=user_id,
        created_at=now,
        touched_at=now,
    )
    db.session.add(job)
    try:
        db.session.commit()
    except IntegrityError:  # the same work was asked for at the same moment: join it
        db.session.rollback()
        existing = _active(key)
        if existing is None:
            raise
        return existing, True
    # Queued only once the row is committed, so the worker always finds it.
    try:
        queue().run_job(job.id)
    except Exception:  # the queue's storage (Redis, or the SQLite file) is unreachable
        log.exception("job %s (%s) could not be queued", job.id, kind)
        _finish(job.id, "failed", message=QUEUE_DOWN_MESSAGE, was="queued")
        db.session.expire(job)
    return job, False


def _active(key: str) -> Job | None:
    return db.session.scalars(
        select(Job).where(Job.key == key, Job.status.in_(ACTIVE_JOB_STATUSES))
    ).first()


def mark_stopped_jobs() -> None:
    """Jobs that can no longer finish fail, so the work can be asked for again:

    - running, but untouched for STOPPED_AFTER: their worker stopped (restarted, or the machine
      went away);
    - queued for LOST_AFTER while a worker is running and no job is: the queue lost them (its
      Redis restarted, or its file was removed).

    A page polling a job calls this every second: it reads, and writes only when it finds one.
    """
    now = _now()
    stopped = Job.status == "running", Job.touched_at < now - STOPPED_AFTER
    lost = Job.status == "queued", Job.created_at < now - LOST_AFTER
    found = {
        status
        for (status,) in db.session.execute(
            select(Job.status).where(and_(*stopped) | and_(*lost)).distinct()
        )
    }
    if "running" in found:
        db.session.execute(
            update(Job)
            .where(*stopped)
            .values(status="failed", message=STOPPED_MESSAGE, finished_at=now)
        )
    if "queued" in found and worker_running() and not _any_running():
        db.session.execute(
            update(Job).where(*lost).values(status="failed", message=LOST_MESSAGE, finished_at=now)
        )
    db.session.commit()


def _any_running() -> bool:
    return db.session.scalar(select(Job.id).where(Job.status == "running").limit(1)) is not None


def find(job_id: str) -> Job | None:
    mark_stopped_jobs()
    return db.session.get(Job, job_id)


def active_jobs() -> list[Job]:
    mark_stopped_jobs()
    return list(
        db.session.scalars(
            select(Job).where(Job.status.in_(ACTIVE_JOB_STATUSES)).order_by(Job.created_at)
        )
    )


# What a job page shows ---------------------------------------------------------------------


def title(job: Job) -> str:
    if job.kind == PUBLISH:
        return f"Publishing the results of wave {job.params['wave']}"
    if job.kind == "report":
        return f"{str(job.params['kind']).capitalize()} report"
    words = " with what residents wrote" if job.params.get("free_text") else ""
    return f"Export of responses ({str(job.params['fmt']).upper()}){words}"


def describe(job: Job) -> dict[str, Any]:
    """The job's state in the words and numbers its page shows; also its JSON for the page's
    script. `step` names what is being done; `count` says how far it has got."""
    unit = "responses" if job.kind == "export" else "steps"
    total = max(job.total, job.done)
    return {
        "status": job.status,
        "done": job.done,
        "total": total,
        "percent": int(100 * job.done / total) if total else 0,
        "step": job.step,
        "count": f"{job.done:,} of {total:,} {unit} done" if total else "",
        "message": job.message,
        "files": list(job.files or []),
    }


# Running (in the worker) -------------------------------------------------------------------


def _run(job_id: str) -> None:
    now = _now()
    claimed = rows_changed(
        db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == "queued")
            .values(status="running", started_at=now, touched_at=now, step="Starting")
        )
    )
    db.session.commit()
    job = db.session.get(Job, job_id)
    if not claimed or job is None:
        return  # delivered twice, or failed before it started: nothing to do
    kind, params = job.kind, dict(job.params)
    survey_id, user_id = job.survey_id, job.requested_by_user_id
    db.session.commit()  # ends the read, so no snapshot is held through the long work
    log.info("job %s (%s) started", job_id, kind)
    keeper = _Toucher(job_id)
    keeper.start()
    try:
        files = WORK[kind](params, survey_id, user_id, _progress_writer(job_id))
    except Refused as refusal:  # the reporting package's plain words for what cannot be done
        db.session.rollback()
        log.info("job %s (%s) refused: %s", job_id, kind, refusal)
        _finish(job_id, "failed", message=str(refusal))
    except Exception:
        db.session.rollback()
        log.exception("job %s (%s) failed", job_id, kind)
        _finish(job_id, "failed", message=FAILED_MESSAGE)
    else:
        log.info("job %s (%s) done: %d files", job_id, kind, len(files))
        _finish(job_id, "done", files=files)
    finally:
        keeper.stop()


def _finish(
    job_id: str,
    status: str,
    *,
    message: str | None = None,
    files: list[str] | None = None,
    was: str = "running",
) -> None:
    """End the job, only if it is still as `was` says: a job already shown as stopped stays so."""
    values: dict[str, Any] = {"status": status, "finished_at": _now(), "message": message}
    if status == "done":
        values.update(step="Done", files=files or [])
    db.session.execute(update(Job).where(Job.id == job_id, Job.status == was).values(**values))
    db.session.commit()


def _progress_writer(job_id: str) -> Progress:
    """Writes progress on a connection of its own, at most every PROGRESS_EVERY_SECONDS unless
    the step changes, so a page polling it sees work move without the work waiting on it."""
    last: dict[str, Any] = {"at": 0.0, "step": None}

    def write(done: int, total: int, step: str) -> None:
        now = time.monotonic()
        if step == last["step"] and now - last["at"] < PROGRESS_EVERY_SECONDS:
            return
        last.update(at=now, step=step)
        values = {"done": done, "total": total, "step": step[:200], "touched_at": _now()}
        try:
            with db.engine.begin() as connection:
                connection.execute(update(Job).where(Job.id == job_id).values(**values))
        except SQLAlchemyError as error:  # a busy database: the next step will say it
            log.warning("job %s: progress not written (%s)", job_id, type(error).__name__)

    return write


class _Toucher(threading.Thread):
    """Keeps a running job's touched_at fresh while a long step (the figures of a large
    survey) reports no progress, so it is not taken for the job of a stopped worker."""

    def __init__(self, job_id: str) -> None:
        super().__init__(name=f"touch-{job_id}", daemon=True)
        self.job_id = job_id
        self.app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while not self.stopping.wait(TOUCH_EVERY_SECONDS):
                try:
                    with db.engine.begin() as connection:
                        connection.execute(
                            update(Job)
                            .where(Job.id == self.job_id, Job.status == "running")
                            .values(touched_at=_now())
                        )
                except SQLAlchemyError as error:
                    log.warning("job %s: not touched (%s)", self.job_id, type(error).__name__)

    def stop(self) -> None:
        self.stopping.set()
        self.join()


def _report(
    params: dict[str, Any], survey_id: int | None, user_id: int | None, progress: Progress
) -> list[str]:
    from .admin import report_files

    return report_files.generate_report(
        str(params["kind"]), survey_id, user_id=user_id, progress=progress
    )


def _export(
    params: dict[str, Any], survey_id: int | None, user_id: int | None, progress: Progress
) -> list[str]:
    from .admin import report_files

    return report_files.generate_export(
        str(params["fmt"]),
        survey_id,
        free_text=bool(params["free_text"]),
        user_id=user_id,
        progress=progress,
    )


def _publish(
    params: dict[str, Any], survey_id: int | None, user_id: int | None, progress: Progress
) -> list[str]:
    from . import results

    if survey_id is None:
        raise results.PublishRefused("No survey was named to publish.")
    results.publish(survey_id, user_id=user_id, progress=progress)
    return []  # nothing to download: the results are on the public pages


WORK: dict[str, Callable[[dict[str, Any], int | None, int | None, Progress], list[str]]] = {
    "report": _report,
    "export": _export,
    PUBLISH: _publish,
}


# The worker's heartbeat ---------------------------------------------------------------------


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(name: str) -> None:
    """Record that the worker `name` is alive, and tidy away what nobody will look at again:
    other workers' beats from over a day ago, and finished jobs older than KEEP_FINISHED_JOBS."""
    now = _now()
    with db.engine.begin() as connection:
        updated = connection.execute(
            update(WorkerBeat).where(WorkerBeat.worker == name).values(seen_at=now)
        )
        if not updated.rowcount:
            connection.execute(WorkerBeat.__table__.insert().values(worker=name, seen_at=now))
        connection.execute(
            delete(WorkerBeat).where(WorkerBeat.seen_at < now - dt.timedelta(days=1))
        )
        connection.execute(
            delete(Job).where(
                Job.status.not_in(ACTIVE_JOB_STATUSES),
                Job.created_at < now - KEEP_FINISHED_JOBS,
            )
        )


def last_beat() -> dt.datetime | None:
    seen: dt.datetime | None = db.session.scalar(
        select(WorkerBeat.seen_at).order_by(WorkerBeat.seen_at.desc()).limit(1)
    )
    return seen


def worker_running() -> bool:
    seen = last_beat()
    return seen is not None and seen > _now() - WORKER_LATE_AFTER


class Heart(threading.Thread):
    """Beats every BEAT_EVERY_SECONDS while the worker runs, whatever its task is doing."""

    def __init__(self, app: Flask) -> None:
        super().__init__(name="heartbeat", daemon=True)
        self.app = app
        self.name_of_worker = worker_name()
        self.stopping = threading.Event()

    def run(self) -> None:
        with self.app.app_context():
            while True:
                try:
                    beat(self.name_of_worker)
                except SQLAlchemyError as error:
                    log.warning("worker heartbeat not written (%s)", type(error).__name__)
                if self.stopping.wait(BEAT_EVERY_SECONDS):
                    return

    def stop(self) -> None:
        self.stopping.set()


def run_worker(app: Flask) -> None:
    """Run the consumer, one job at a time, until it is told to stop (SIGINT, or SIGTERM)."""
    heart = Heart(app)
    heart.start()
    jobs: JobQueue = app.extensions["jobs"]
    # Periodic tasks need none here: the heart keeps the beat in a thread of its own.
    consumer = jobs.huey.create_consumer(
        workers=1, periodic=False, initial_delay=0.2, max_delay=1.0
    )
    try:
        consumer.run()
    finally:
        heart.stop()
