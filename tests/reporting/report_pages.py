"""What every HTML report keeps to, checked the same way for the interim and final reports."""

from __future__ import annotations

import html5lib
from bs4 import BeautifulSoup


def parsed_report(page: str) -> BeautifulSoup:
    """The report, after checking it is valid HTML with one h1, headings in order, unique ids
    and a caption on every table."""
    html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    soup = BeautifulSoup(page, "html.parser")
    assert len(soup.find_all("h1")) == 1
    levels = [int(heading.name[1]) for heading in soup.find_all(["h1", "h2", "h3", "h4"])]
    assert all(later - earlier <= 1 for earlier, later in zip(levels, levels[1:], strict=False))
    ids = [tag["id"] for tag in soup.find_all(id=True)]
    assert len(ids) == len(set(ids))
    assert all(table.caption for table in soup.find_all("table"))
    return soup
