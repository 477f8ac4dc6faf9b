"""A questionnaire definition, checked against the JSON Schema, with its routing rules."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import jsonschema
from flask_babel import gettext

from reporting.answer_keys import question_answer_keys

SCHEMA_PATH = Path(__file__).with_name("schema.json")
DEFINITIONS_DIR = Path(__file__).with_name("definitions")
DEFAULT_DEFINITION = DEFINITIONS_DIR / "safermk-perceptions-v1.json"
PREFER_NOT_TO_SAY = "prefer_not_to_say"

Answers = Mapping[str, Any]


class DefinitionError(ValueError):
    """The definition file is not a usable questionnaire; the message says where."""


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


class Question:
    """One question of a page, as the definition gives it."""

    def __init__(self, spec: Mapping[str, Any]):
        self.spec = spec
        self.id: str = spec["id"]
        self.type: str = spec["type"]
        self.label: str = spec["label"]
        self.options: list[Mapping[str, Any]] = list(spec.get("options", []))
        self.answers = question_answer_keys(spec)
        self.answer_keys = [answer.key for answer in self.answers]

    def option_label(self, value: str) -> str:
        for option in self.options:
            if option["value"] == value:
                return option["label"]
        return value


class Page:
    """One page of the questionnaire; the keys it answers are worked out once, as routing and
    saving look them up on every request."""

    def __init__(self, spec: Mapping[str, Any]):
        self.spec = spec
        self.id: str = spec["id"]
        self.title: str = spec["title"]
        self.questions = [Question(q) for q in spec["questions"]]
        self.answer_keys = [key for question in self.questions for key in question.answer_keys]
        self.condition: Mapping[str, Any] | None = spec.get("show_if")
        self.section: str = spec["section"]
        # Set by the questionnaire: this page's part of the survey, and how many parts there are.
        self.part_number = 1
        self.part_count = 1

    @property
    def caption(self) -> str:
        """Where the resident is, on every question page: "Part 2 of 6: Your local area"."""
        return gettext(
            "Part %(number)s of %(count)s: %(section)s",
            number=self.part_number,
            count=self.part_count,
            section=self.section,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Page) and other.spec == self.spec

    # Unhashable, as pages equal by content must be; typeshed has object.__hash__ as a method
    # only, so the type checker refuses the None that Python itself uses to say so.
    __hash__ = None  # type: ignore[assignment]

    def is_shown(self, answers: Answers) -> bool:
        if self.condition is None:
            return True
        return answers.get(self.condition["question"]) in self.condition["in"]


class Questionnaire:
    """A checked definition: pages in order, and which of them a resident's answers lead to."""

    def __init__(self, definition: Mapping[str, Any]):
        errors = sorted(_validator().iter_errors(definition), key=lambda e: list(e.path))
        if errors:
            first = errors[0]
            where = "/".join(str(part) for part in first.path) or "the top level"
            raise DefinitionError(
                f"Questionnaire definition is invalid at {where}: {first.message}"
            )
        self.definition = definition
        self.pages = [Page(p) for p in definition["pages"]]
        self._check_references()
        self._number_parts()

    def _check_references(self) -> None:
        seen_pages: set[str] = set()
        seen_keys: set[str] = set()
        for page in self.pages:
            if page.id in seen_pages:
                raise DefinitionError(f"Page id {page.id!r} is used twice")
            seen_pages.add(page.id)
            condition = page.spec.get("show_if")
            # Routing may only look back, so one pass in page order settles every page.
            if condition and condition["question"] not in seen_keys:
                raise DefinitionError(
                    f"Page {page.id!r} depends on {condition['question']!r}, "
                    "which is not asked on an earlier page"
                )
            for key in page.answer_keys:
                if key in seen_keys:
                    raise DefinitionError(f"Answer id {key!r} is used twice")
                seen_keys.add(key)
        for name, rule in self.definition["derived"].items():
            for field in ("from", "condition", "reduces", "parent", "age"):
                if field in rule and rule[field] not in seen_keys:
                    raise DefinitionError(f"Derived {name!r} uses unknown question {rule[field]!r}")

    def _number_parts(self) -> None:
        """Pages of one section are consecutive, so "Part 2 of 6" never comes back later."""
        sections: list[str] = []
        for page in self.pages:
            if not sections or sections[-1] != page.section:
                if page.section in sections:
                    raise DefinitionError(
                        f"Page {page.id!r} returns to section {page.section!r}; "
                        "keep each section's pages together"
                    )
                sections.append(page.section)
            page.part_number = len(sections)
        for page in self.pages:
            page.part_count = len(sections)

    @property
    def slug(self) -> str:
        return self.definition["slug"]

    @property
    def version(self) -> int:
        return self.definition["version"]

    @property
    def language(self) -> str:
        return self.definition.get("language", "en")

    @property
    def key(self) -> tuple[str, int, str]:
        """Slug, version and language: which questionnaire this is, wherever it was parsed."""
        return self.slug, self.version, self.language

    @property
    def title(self) -> str:
        return self.definition["title"]

    @property
    def short_title(self) -> str:
        return self.definition.get("short_title", self.title)

    @property
    def minimum_age(self) -> int:
        return self.definition["minimum_age"]

    def page(self, page_id: str) -> Page | None:
        return next((p for p in self.pages if p.id == page_id), None)

    def question(self, question_id: str) -> Question | None:
        return next((q for page in self.pages for q in page.questions if q.id == question_id), None)

    @cached_property
    def free_text_keys(self) -> frozenset[str]:
        """The answers residents write in their own words: text questions and write-ins."""
        return frozenset(
            answer.key
            for page in self.pages
            for question in page.questions
            for answer in question.answers
            if answer.is_free_text
        )

    def prune(self, answers: Answers) -> dict[str, Any]:
        """Drop answers on pages the resident's other answers no longer lead to."""
        kept: dict[str, Any] = {}
        for page in self.pages:
            if page.is_shown(kept):
                kept.update({k: answers[k] for k in page.answer_keys if k in answers})
        return kept

    def visible_pages(self, answers: Answers) -> list[Page]:
        pruned = self.prune(answers)
        return [page for page in self.pages if page.is_shown(pruned)]

    def next_page(self, page_id: str, answers: Answers) -> Page | None:
        visible = self.visible_pages(answers)
        ids = [p.id for p in visible]
        if page_id not in ids:
            return None
        index = ids.index(page_id)
        return visible[index + 1] if index + 1 < len(visible) else None

    def previous_page(self, page_id: str, answers: Answers) -> Page | None:
        visible = self.visible_pages(answers)
        ids = [p.id for p in visible]
        if page_id not in ids or ids.index(page_id) == 0:
            return None
        return visible[ids.index(page_id) - 1]

    def first_unanswered(self, answers: Answers, pages_done: Iterable[str]) -> Page | None:
        done = set(pages_done)
        return next((p for p in self.visible_pages(answers) if p.id not in done), None)

    def is_complete(self, answers: Answers, pages_done: Iterable[str]) -> bool:
        return self.first_unanswered(answers, pages_done) is None


def load_definition_file(path: Path | str) -> Questionnaire:
    path = Path(path)
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DefinitionError(f"No questionnaire file at {path}") from None
    except json.JSONDecodeError as error:
        raise DefinitionError(f"{path} is not valid JSON: {error}") from None
    return Questionnaire(definition)
