"""The reporting package's refusals: work that cannot be done as asked, said in plain words."""


class Refused(ValueError):
    """The report or export cannot be made as asked (no survey, an unknown kind or format);
    the message says why, in words fit to show the person who asked. Any other error is a bug."""
