"""What a person sees in the browser: the page fits the screen, and no markup shows as text.

Used by the tests that walk every page a resident, partner or analyst can reach.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urldefrag, urlparse

from playwright.sync_api import Page

from ..helpers import MARKUP_AS_TEXT

# Links to files (downloads, not pages) and the link that would end the session mid-walk.
NOT_PAGES = (".png", ".svg", ".pdf", ".csv", ".xlsx", ".sav", ".json", "/sign-out")
PAGE_LIMIT = 150

# The outermost elements that stick out past the right edge: outside a region that scrolls on
# its own, or positioned so that such a region cannot hold them.
_STICKING_OUT = """(width) => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1)
  .filter(e => !e.parentElement.closest('.app-table-container, .table-scroll')
               || ['absolute', 'fixed'].includes(getComputedStyle(e).position))
  .filter(e => e.parentElement.getBoundingClientRect().right <= width + 1
               || ['absolute', 'fixed'].includes(getComputedStyle(e).position))
  .slice(0, 3)
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
       + (typeof e.className === 'string' && e.className ? '.' + e.className.split(' ')[0] : ''))"""


def problems_on(page: Page) -> list[str]:
    """What is wrong with the page as it stands, in words; empty when nothing is."""
    problems = []
    # The screen's width: on a phone, window.innerWidth grows with a page that is too wide.
    viewport = page.evaluate("document.documentElement.clientWidth")
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > viewport:
        culprits = page.evaluate(_STICKING_OUT, viewport)
        problems.append(f"{width}px wide in a {viewport}px window (sticking out: {culprits})")
    shown = MARKUP_AS_TEXT.findall(page.title() + " " + page.evaluate("document.body.innerText"))
    if shown:
        problems.append(f"markup shown as text: {shown}")
    return problems


def check_here(page: Page, found: dict[str, list[str]], shots: Path | None, name: str) -> None:
    path = urlparse(page.url).path or "/"
    problems = problems_on(page)
    if problems:
        found[path] = problems
    if shots is not None:
        slug = "".join(c if c.isalnum() else "_" for c in path.strip("/")) or "home"
        page.screenshot(path=str(shots / f"{name}-{slug}.png"), full_page=True)


def walk_links(
    page: Page,
    start: str,
    found: dict[str, list[str]],
    shots: Path | None = None,
    name: str = "page",
    on_page: Callable[[Page], None] | None = None,
) -> set[str]:
    """Visit every page on the same site reachable by links from `start`; check each."""
    origin = urlparse(start)
    queue, seen = [start], set()
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        assert len(seen) <= PAGE_LIMIT, f"more than {PAGE_LIMIT} pages reachable from {start}"
        response = page.goto(url)
        if response is None or "text/html" not in response.headers.get("content-type", ""):
            continue
        check_here(page, found, shots, name)
        if on_page is not None:
            on_page(page)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            href = urldefrag(href).url
            target = urlparse(href)
            if (target.scheme, target.netloc) != (origin.scheme, origin.netloc):
                continue
            if target.path.endswith(NOT_PAGES) or "/files/" in target.path:
                continue
            if href not in seen:
                queue.append(href)
    return {urlparse(url).path for url in seen}
