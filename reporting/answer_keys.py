"""What a questionnaire stores: every answer key its questions give, and what kind of answer each
holds.

The one home of that knowledge. The questionnaire engine saves and clears a page's keys and
purges the free-text ones; the exports write a column per key and leave the free-text ones out
when asked; the reports count the closed ones. Plain data in, plain data out (no Flask), so both
packages read it from here and cannot disagree about, say, which answers are a resident's own
words.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

# One option's value; a list of option values; a whole number (or "prefer_not_to_say"); words.
AnswerKind = Literal["option", "options", "number", "text"]
KIND_OF_TYPE: dict[str, AnswerKind] = {
    "single": "option",
    "grid": "option",
    "multiple": "options",
    "number": "number",
    "short_text": "text",
    "long_text": "text",
}


# Answers chosen from a question's options, which the reports count.
CLOSED_KINDS: tuple[AnswerKind, ...] = ("option", "options")


def is_closed(question: Mapping[str, Any]) -> bool:
    """Whether the question's answers are chosen from its options (a single or multiple choice,
    or a grid of single choices)."""
    return KIND_OF_TYPE[question["type"]] in CLOSED_KINDS


@dataclass(frozen=True)
class AnswerKey:
    """One key of a response's answers."""

    key: str
    question: Mapping[str, Any]  # the question's part of the definition
    label: str  # the question's wording, with the grid item's; or the write-in's own label
    kind: AnswerKind

    @property
    def options(self) -> list[Mapping[str, Any]]:
        return list(self.question.get("options", [])) if self.kind != "text" else []

    @property
    def is_free_text(self) -> bool:
        return self.kind == "text"


def question_answer_keys(question: Mapping[str, Any]) -> list[AnswerKey]:
    """The keys a question stores, in the order it asks them: a grid's items; otherwise the
    question's own key, then the write-in boxes of its options."""
    kind = KIND_OF_TYPE[question["type"]]
    if question["type"] == "grid":
        return [
            AnswerKey(item["id"], question, f"{question['label']} {item['label']}", kind)
            for item in question["items"]
        ]
    keys = [AnswerKey(question["id"], question, question["label"], kind)]
    for option in question.get("options", []):
        if write_in := option.get("write_in"):
            keys.append(AnswerKey(write_in["id"], question, write_in["label"], "text"))
    return keys


def definition_answer_keys(definition: Mapping[str, Any]) -> Iterator[AnswerKey]:
    """Every key the questionnaire stores, in questionnaire order."""
    for page in definition["pages"]:
        for question in page["questions"]:
            yield from question_answer_keys(question)


def free_text_keys(definition: Mapping[str, Any]) -> frozenset[str]:
    """The answers residents write in their own words: text questions and write-ins."""
    return frozenset(a.key for a in definition_answer_keys(definition) if a.is_free_text)
