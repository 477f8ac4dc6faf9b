"""Charts for the HTML report, drawn by matplotlib (Agg) from published figures only.

Each function takes part of the published report dict, so a chart can never show a count that
disclosure control withheld. Each returns a Chart: inline SVG markup with unique element ids
(several charts share one page) and alt text that says what the chart shows.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import PercentFormatter, StrMethodFormatter  # noqa: E402

from reporting.model import (  # noqa: E402
    ChannelRow,
    DayCount,
    DimensionResult,
    IndicatorResult,
    WeightedIndicatorResult,
)

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

# Counts on an axis carry thousands separators, as everywhere else people read them.
THOUSANDS = "{x:,.0f}"

# Okabe-Ito: distinguishable with the common forms of colour blindness.
OKABE_ITO = {
    "blue": "#0072B2",
    "orange": "#E69F00",
    "vermillion": "#D55E00",
    "sky_blue": "#56B4E9",
    "green": "#009E73",
    "grey": "#999999",
}
FLAG_MARKS = {
    "under_represented": "under-represented",
    "possibly_under_represented": "possibly under-represented",
    "over_represented": "over-represented",
}
STYLE: dict[RcKeyType, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["Arial", "Liberation Sans", "DejaVu Sans"],
    "font.size": 10,
    "svg.fonttype": "none",  # text stays text: searchable, and read by screen readers
    "svg.hashsalt": "safermk",  # stable output for the same figures
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@dataclass(frozen=True)
class Chart:
    svg: str
    alt: str


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def _short_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%b}"


def _long_date(iso: str) -> str:
    day = dt.date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _to_svg(figure: Figure, chart_id: str, alt: str) -> Chart:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]
    # Prefix every id and reference so that charts on one page never share an id.
    svg = re.sub(r'id="([^"]+)"', rf'id="{chart_id}-\1"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", rf"url(#{chart_id}-\1)", svg)
    svg = re.sub(r'href="#([^"]+)"', rf'href="#{chart_id}-\1"', svg)
    svg = svg.replace(
        "<svg ",
        f'<svg role="img" aria-labelledby="{chart_id}-title" ',
        1,
    )
    title = f'<title id="{chart_id}-title">{html.escape(alt)}</title>'
    svg = re.sub(r"<svg[^>]*>", lambda match: match.group(0) + title, svg, count=1)
    return Chart(svg=svg, alt=alt)


def _figure(height: float) -> tuple[Figure, Any]:
    with plt.rc_context(STYLE):
        figure, axes = plt.subplots(figsize=(8, height))
    return figure, axes


def responses_over_time(by_day: Sequence[DayCount]) -> Chart | None:
    shown = [(row["date"], row["count"]) for row in by_day if isinstance(row["count"], int)]
    if not shown:
        return None
    with plt.rc_context(STYLE):
        figure, axes = _figure(3.2)
        # Bars at positions, labelled with dates: strings as x values would be read as categories.
        axes.bar(range(len(shown)), [count for _, count in shown], color=OKABE_ITO["blue"])
        axes.set_xlabel("Date submitted")
        axes.set_ylabel("Responses")
        axes.yaxis.set_major_formatter(StrMethodFormatter(THOUSANDS))
        step = max(1, len(shown) // 8)
        axes.set_xticks(
            range(0, len(shown), step),
            [_short_date(shown[i][0]) for i in range(0, len(shown), step)],
        )
        axes.tick_params(axis="x", labelrotation=45)
        hidden = len(by_day) - len(shown)
        alt = (
            f"Bar chart of responses submitted each day, {_long_date(by_day[0]['date'])} to "
            f"{_long_date(by_day[-1]['date'])}; the busiest day had "
            f"{max(c for _, c in shown):,} responses."
        )
        if hidden:
            alt += f" {hidden} days with fewer than 10 responses are left out."
        return _to_svg(figure, "chart-over-time", alt)


def responses_by_channel(rows: Sequence[ChannelRow]) -> Chart | None:
    shown = [(row["name"], row["count"]) for row in rows if isinstance(row["count"], int)]
    if not any(count for _, count in shown):
        return None
    shown.reverse()  # largest at the top of a horizontal bar chart
    with plt.rc_context(STYLE):
        figure, axes = _figure(0.3 * len(shown) + 1)
        axes.barh(
            [name for name, _ in shown], [count for _, count in shown], color=OKABE_ITO["blue"]
        )
        axes.set_xlabel("Responses")
        axes.xaxis.set_major_formatter(StrMethodFormatter(THOUSANDS))
        top_name, top_count = shown[-1]
        alt = (
            f"Horizontal bar chart of responses by channel; {top_name} brought the most "
            f"({top_count:,}). Channels with fewer than 10 responses are left out."
        )
        return _to_svg(figure, "chart-channels", alt)


def sample_against_population(dimension: DimensionResult) -> Chart | None:
    categories = [row for row in dimension["categories"] if "population_share" in row]
    if not categories or dimension.get("benchmark") is None:
        return None
    labels = [
        row["label"] + (f" ({FLAG_MARKS[row['flag']]})" if row["flag"] in FLAG_MARKS else "")
        for row in categories
    ]
    positions = list(range(len(categories)))[::-1]
    with plt.rc_context(STYLE):
        figure, axes = _figure(0.45 * len(categories) + 1.2)
        sample = [row["sample_share"] or 0 for row in categories]
        population = [row["population_share"] for row in categories]
        axes.barh(
            [p + 0.2 for p in positions],
            sample,
            height=0.4,
            color=OKABE_ITO["blue"],
            label="Sample",
        )
        axes.barh(
            [p - 0.2 for p in positions],
            population,
            height=0.4,
            color=OKABE_ITO["orange"],
            hatch="//",
            label="Population (census)",
        )
        axes.set_yticks(positions, labels)
        axes.xaxis.set_major_formatter(PercentFormatter(xmax=1))
        axes.set_xlabel("Share of those who answered")
        # Above the plot, so it can never cover a bar.
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False)
        flagged = [
            f"{row['label']} {FLAG_MARKS[row['flag']]}"
            for row in categories
            if row["flag"] in FLAG_MARKS
        ]
        alt = (
            f"Bar chart comparing the sample's shares with the population's for "
            f"{dimension['label'].lower()}. "
            + (("Flagged: " + "; ".join(flagged) + ".") if flagged else "No group is flagged.")
        )
        withheld = [row["label"] for row in categories if row["sample_share"] is None]
        if withheld:
            alt += " Sample shares withheld (fewer than 10): " + ", ".join(withheld) + "."
        return _to_svg(figure, f"chart-sample-{dimension['dimension']}", alt)


@dataclass(frozen=True)
class Estimate:
    """A published share with its 95% interval."""

    label: str
    share: float
    low: float
    high: float


def _estimate(
    label: str, share: float | None, low: float | None, high: float | None
) -> Estimate | None:
    """The share with its interval, or None where it is withheld (the three go together)."""
    if share is None or low is None or high is None:
        return None
    return Estimate(label, share, low, high)


def _unweighted(row: IndicatorResult | WeightedIndicatorResult) -> Estimate | None:
    return _estimate(row["label"], row["share"], row["interval_low"], row["interval_high"])


def _weighted(row: WeightedIndicatorResult) -> Estimate | None:
    return _estimate(
        row["label"],
        row["weighted_share"],
        row["weighted_interval_low"],
        row["weighted_interval_high"],
    )


def _errors(estimates: Sequence[Estimate]) -> list[list[float]]:
    """How far each interval reaches below and above its share, as errorbar wants them."""
    return [
        [estimate.share - estimate.low for estimate in estimates],
        [estimate.high - estimate.share for estimate in estimates],
    ]


def indicators_with_intervals(indicators: Sequence[IndicatorResult]) -> Chart | None:
    shown = [estimate for estimate in map(_unweighted, indicators) if estimate is not None]
    if not shown:
        return None
    shown = shown[::-1]
    with plt.rc_context(STYLE):
        figure, axes = _figure(0.45 * len(shown) + 1)
        axes.errorbar(
            [estimate.share for estimate in shown],
            range(len(shown)),
            xerr=_errors(shown),
            fmt="o",
            color=OKABE_ITO["vermillion"],
            ecolor=OKABE_ITO["grey"],
            capsize=4,
        )
        axes.set_yticks(range(len(shown)), [estimate.label for estimate in shown])
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(PercentFormatter(xmax=1))
        axes.set_xlabel("Share of respondents (unweighted), with 95% interval")
        alt = "Dot chart of headline indicators with 95% intervals: " + "; ".join(
            f"{estimate.label} {_percent(estimate.share)} ({_percent(estimate.low)} to "
            f"{_percent(estimate.high)})"
            for estimate in reversed(shown)
        )
        return _to_svg(figure, "chart-indicators", alt + ".")


def weighted_indicators_with_intervals(
    indicators: Sequence[WeightedIndicatorResult],
) -> Chart | None:
    """Unweighted and weighted shares side by side, each with its 95% interval."""
    # A weighted share is published only with its unweighted one.
    pairs = [(_weighted(row), _unweighted(row)) for row in indicators]
    shown = [
        (weighted, unweighted)
        for weighted, unweighted in pairs
        if weighted is not None and unweighted is not None
    ][::-1]
    if not shown:
        return None
    with plt.rc_context(STYLE):
        figure, axes = _figure(0.6 * len(shown) + 1.2)
        for offset, estimates, colour, marker, label in (
            (
                0.15,
                [weighted for weighted, _ in shown],
                OKABE_ITO["vermillion"],
                "o",
                "Weighted to the census",
            ),
            (-0.15, [unweighted for _, unweighted in shown], OKABE_ITO["blue"], "s", "Unweighted"),
        ):
            axes.errorbar(
                [estimate.share for estimate in estimates],
                [position + offset for position in range(len(shown))],
                xerr=_errors(estimates),
                fmt=marker,
                color=colour,
                ecolor=colour,
                capsize=3,
                label=label,
            )
        axes.set_yticks(range(len(shown)), [weighted.label for weighted, _ in shown])
        axes.set_xlim(0, 1)
        axes.xaxis.set_major_formatter(PercentFormatter(xmax=1))
        axes.set_xlabel("Share of respondents in each base, with 95% interval")
        # Above the plot, so it can never cover a bar.
        axes.legend(loc="lower left", bbox_to_anchor=(0, 1.0), ncols=2, frameon=False)
        alt = "Dot chart of headline indicators, weighted and unweighted, with 95% intervals: "
        alt += "; ".join(
            f"{weighted.label} weighted {_percent(weighted.share)} "
            f"({_percent(weighted.low)} to "
            f"{_percent(weighted.high)}), unweighted {_percent(unweighted.share)}"
            for weighted, unweighted in reversed(shown)
        )
        return _to_svg(figure, "chart-weighted-indicators", alt + ".")
