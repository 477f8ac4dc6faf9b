"""The analyst's report command, end to end on demo data with known biases."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

from survey_app.demo import seed_responses


def test_interim_report_names_the_missing_groups_and_how_to_reach_them(app, runner, tmp_path):
    assert runner.invoke(args=["demo", "seed", "--responses", "3000", "--seed", "5"]).exit_code == 0
    result = runner.invoke(
        args=["report", "interim", "--out", str(tmp_path), "--format", "html,json,xlsx"]
    )
    assert result.exit_code == 0, result.output

    written = sorted(p.suffix for p in tmp_path.iterdir())
    assert written == [".html", ".json", ".xlsx"]
    report = json.loads(next(tmp_path.glob("*.json")).read_text())
    flagged = {
        (g["dimension"], g["category"]) for g in report["representativeness"]["flagged_groups"]
    }
    assert {("age_band", "16-24"), ("ethnic_group", "black"), ("lgb_plus", "yes")} <= flagged
    young = next(
        g for g in report["representativeness"]["flagged_groups"] if g["category"] == "16-24"
    )
    assert young["responses_needed"] and young["channel_reach"]
    html = next(tmp_path.glob("*.html")).read_text()
    assert "16-24" in html or "16 to 24" in html


def test_final_report_after_closing_has_weighted_results(app, runner, tmp_path):
    runner.invoke(args=["demo", "seed", "--responses", "1500", "--seed", "6"])
    runner.invoke(args=["survey", "close"])
    result = runner.invoke(args=["report", "final", "--out", str(tmp_path), "--format", "json"])
    assert result.exit_code == 0, result.output

    report = json.loads(next(tmp_path.glob("*final*.json")).read_text())
    assert report["kind"] == "final"
    assert report["weighting"]["design_effect"] > 1


def test_report_command_refuses_an_unknown_format(runner, tmp_path):
    result = runner.invoke(args=["report", "interim", "--out", str(tmp_path), "--format", "docx"])
    assert result.exit_code != 0
    assert "--format must be one or more of html, pdf, json, xlsx" in result.output


def test_report_command_prints_what_it_wrote_and_nothing_else(app, database_url, tmp_path):
    with app.app_context():
        seed_responses(count=200, seed=4)
    environment = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": database_url}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("flask")), "report", "interim", "--out", str(tmp_path)],
        cwd=Path(__file__).resolve().parents[2],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    assert len(lines) == 4 and all(line.startswith("Wrote ") for line in lines), lines


def _run_at_a_terminal(command: list[str], environment: dict[str, str]) -> tuple[str, str]:
    """Run a command with its stderr on a pseudo-terminal, as when typed at one; returns what
    it wrote to stdout and to the terminal."""
    terminal, their_end = os.openpty()
    seen = bytearray()

    def drain() -> None:
        with contextlib.suppress(OSError):  # the terminal is closed once the command ends
            while chunk := os.read(terminal, 4096):
                seen.extend(chunk)

    reader = threading.Thread(target=drain)
    reader.start()
    try:
        result = subprocess.run(
            command,
            cwd=Path(__file__).resolve().parents[2],
            env=environment,
            stdout=subprocess.PIPE,
            stderr=their_end,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        os.close(their_end)
        reader.join(timeout=10)
        os.close(terminal)
    assert result.returncode == 0, seen.decode(errors="replace")
    return result.stdout, seen.decode(errors="replace")


def test_at_a_terminal_the_report_command_shows_each_step_as_it_begins(app, database_url, tmp_path):
    with app.app_context():
        seed_responses(count=30, seed=5)
    environment = {**os.environ, "FLASK_APP": "wsgi.py", "DATABASE_URL": database_url}
    flask = str(Path(sys.executable).with_name("flask"))
    out, terminal = _run_at_a_terminal(
        [flask, "report", "interim", "--out", str(tmp_path), "--format", "json,html"], environment
    )
    steps = ["Working out the figures", "Writing the JSON file", "Writing the web page", "Done"]
    where = [terminal.find(step) for step in steps]
    assert -1 not in where and where == sorted(where), terminal
    assert "3/3" in terminal
    # The bar is on the terminal only: what a script reads from stdout is just the result.
    assert [line.split()[0] for line in out.splitlines()] == ["Wrote", "Wrote"], out


def test_the_export_tells_how_many_rows_are_written_of_how_many(app, tmp_path, monkeypatch):
    from reporting import exports
    from survey_app.extensions import db

    monkeypatch.setattr(exports, "EXPORT_PROGRESS_EVERY", 2)
    with app.app_context():
        seed_responses(count=5, seed=6)
        told: list[tuple[int, int, str]] = []
        exports.export_responses(
            db.engine,
            tmp_path / "out.csv",
            fmt="csv",
            progress=lambda done, total, step: told.append((done, total, step)),
        )
    rows = [(0, 5), (2, 5), (4, 5), (5, 5)]
    assert [(done, total) for done, total, _ in told] == rows
    assert told[-1][2] == "Done"
