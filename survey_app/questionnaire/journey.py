"""Where a respondent may go in a questionnaire, and where they go next.

The questionnaire's router, shared by the resident's pages and paper entry and free of Flask, so
its rules are unit-tested on their own. The routes only parse the request, ask the journey, and
render or redirect.

* A page is shown only if the answers given lead to it, and it has been answered already or is
  the first unanswered page; otherwise the respondent goes to the first unanswered page, or to
  check answers once every page is answered.
* A posted page is accepted for any page the answers lead to: a resident whose session was lost
  still has the page they were on saved.
* After a save the next page is the one after it, unless that was answered already (a change
  that opened no new page), when it is the first unanswered page; after a change made from
  check answers it is the first unanswered page. Nothing left to answer means check answers.
* An age under the questionnaire's minimum ends the journey (the caller discards the answers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, Literal

from .answer_types import handler_for
from .definition import Page, Questionnaire

CHECK_ANSWERS: Final = "check-answers"
START: Final = "start"
Destination = Page | Literal["check-answers", "start"]


@dataclass(frozen=True)
class PageAccess:
    """The answer to "may this page be shown?": `page` if so, else where to go instead
    (`redirect`), or neither when the questionnaire has no such page."""

    page: Page | None = None
    redirect: Destination | None = None

    @property
    def not_found(self) -> bool:
        return self.page is None and self.redirect is None


@dataclass(frozen=True)
class SummaryRow:
    page: Page
    label: str
    value: str


class Journey:
    """One respondent's position in a questionnaire: their answers and the pages they finished."""

    def __init__(
        self,
        questionnaire: Questionnaire,
        answers: Mapping[str, Any] | None = None,
        pages_done: Iterable[str] = (),
    ) -> None:
        self.questionnaire = questionnaire
        self.answers: dict[str, Any] = dict(answers or {})
        self.pages_done: list[str] = list(pages_done)

    def first_unanswered(self) -> Page | None:
        return self.questionnaire.first_unanswered(self.answers, self.pages_done)

    def _first_unanswered_or_check(self) -> Destination:
        return self.first_unanswered() or CHECK_ANSWERS

    def access(self, page_id: str, *, posting: bool) -> PageAccess:
        """May the page be shown (or, posting, saved)? If not, where the respondent goes."""
        page = self.questionnaire.page(page_id)
        if page is None:
            return PageAccess()
        visible = {p.id for p in self.questionnaire.visible_pages(self.answers)}
        allowed = page.id in visible and (
            posting or page.id in self.pages_done or page == self.first_unanswered()
        )
        if allowed:
            return PageAccess(page=page)
        return PageAccess(redirect=self._first_unanswered_or_check())

    def after_save(
        self,
        page_id: str,
        answers: Mapping[str, Any],
        pages_done: Iterable[str],
        *,
        from_check_answers: bool = False,
    ) -> Destination:
        """Where to go once a page's answers are saved (answers and pages as now stored)."""
        saved = Journey(self.questionnaire, answers, pages_done)
        if from_check_answers:
            return saved._first_unanswered_or_check()
        following = self.questionnaire.next_page(page_id, saved.answers)
        if following is not None and following.id in saved.pages_done:
            return saved._first_unanswered_or_check()
        return following or CHECK_ANSWERS

    def back_from(self, page: Page, *, from_check_answers: bool = False) -> Destination:
        """Where a page's Back link leads."""
        if from_check_answers:
            return CHECK_ANSWERS
        return self.questionnaire.previous_page(page.id, self.answers) or START

    def age_question_id(self) -> str | None:
        rule = self.questionnaire.definition["derived"].get("age_band")
        return rule["from"] if rule else None

    def is_under_age(self, page_answers: Mapping[str, Any]) -> bool:
        """A page's answers give an age under the questionnaire's minimum."""
        question_id = self.age_question_id()
        age = page_answers.get(question_id) if question_id else None
        return isinstance(age, int) and age < self.questionnaire.minimum_age

    def summary(self) -> list[SummaryRow]:
        """Every answer on the pages the answers lead to, as the check answers page words it."""
        return [
            SummaryRow(page, label, value)
            for page in self.questionnaire.visible_pages(self.answers)
            for question in page.questions
            for label, value in handler_for(question).summary(self.answers)
        ]
