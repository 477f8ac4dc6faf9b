"""What the reports say about responses the analyst excluded as suspected.

The signs are looked for as responses arrive (survey_app.quality); the analyst reviews each group
of suspected responses and excludes it or keeps it. Excluded responses are counted in no figure
(queries.counted), and every report states how many there were and why, so a reader can judge.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from . import queries
from .model import ResponseQuality, SignCount

SIGNS = {
    "fast": "Completed implausibly fast",
    "same_answers": "Identical answers arriving in a burst",
    "channel_burst": "A sudden burst through one channel",
}


def response_quality(engine: Engine, survey_id: int) -> ResponseQuality:
    """How many responses were excluded, by the sign their group was excluded for, in words."""
    counts = queries.excluded_by_sign(engine, survey_id)
    by_sign: list[SignCount] = [
        {"sign": sign, "label": label, "count": counts[sign]}
        for sign, label in SIGNS.items()
        if counts.get(sign)
    ]
    excluded = sum(counts.values())
    signs = "; ".join(f"{row['label'].lower()}: {row['count']:,}" for row in by_sign)
    looked_for = (
        "Responses that showed a sign of a robot or of repeated answering (completed "
        "implausibly fast, identical answers arriving in a burst, or a sudden burst through "
        "one channel) were flagged for the analyst to review."
    )
    if excluded:
        statement = (
            f"{looked_for} The analyst excluded {excluded:,} "
            f"{'response' if excluded == 1 else 'responses'} ({signs}); they are kept on record "
            "but counted in no figure of this report."
        )
    else:
        statement = f"{looked_for} No responses were excluded."
    return {"excluded": excluded, "by_sign": by_sign, "statement": statement}
