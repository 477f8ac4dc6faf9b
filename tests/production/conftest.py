"""Fixtures for tests of the app as deployed: gunicorn, production settings, a real database.

The figures a load test measures are printed at the end of the run, so that a CI log shows
how fast the app was as well as whether it held.
"""

from __future__ import annotations

import pytest

LOAD_FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture
def load_figures(request: pytest.FixtureRequest) -> list[str]:
    """Lines for the end-of-run summary."""
    return request.config.stash.setdefault(LOAD_FIGURES, [])


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:  # type: ignore[no-untyped-def]
    lines = config.stash.get(LOAD_FIGURES, [])
    if lines:
        terminalreporter.section("load figures")
        for line in lines:
            terminalreporter.write_line(line)
