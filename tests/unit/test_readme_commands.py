"""Every `flask` command the service adds is in the README's commands table."""

from __future__ import annotations

import re
from pathlib import Path

import click

from survey_app import create_app

README = Path(__file__).resolve().parents[2] / "README.md"
FLASK_OWN = {"db", "routes", "run", "shell"}


def command_paths(group: click.Group, prefix: str = "") -> list[str]:
    paths = []
    for name, command in group.commands.items():
        if not prefix and name in FLASK_OWN:
            continue
        path = f"{prefix} {name}".strip()
        if isinstance(command, click.Group):
            paths += command_paths(command, path)
        else:
            paths.append(path)
    return paths


def test_readme_commands_table_names_every_command(tmp_path: Path) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3"})
    table = "\n".join(
        line
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.startswith("| `flask")
    )
    commands = command_paths(app.cli)

    assert "users add" in commands
    for path in commands:
        group, _, name = path.rpartition(" ")
        # A row may name a command in full (`flask survey open`) or after a slash (`/ close`).
        named = re.search(rf"`flask {re.escape(path)}\b", table) or (
            group and re.search(rf"`flask {re.escape(group)} .*`[^|]*/ `{re.escape(name)}\b", table)
        )
        assert named, f"`flask {path}` is missing from the README's commands table"
