"""The questionnaire engine: definition files become pages, forms, routing and census data."""

from .definition import DefinitionError, Page, Question, Questionnaire, load_definition_file

__all__ = ["DefinitionError", "Page", "Question", "Questionnaire", "load_definition_file"]
