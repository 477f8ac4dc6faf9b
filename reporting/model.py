"""The reports as types: every part of the interim and final reports, from the leaves up.

A report stays a plain dict (the JSON is the report, and the templates and the workbook read it
as it is), so each part is a TypedDict: the checker knows every key and what it holds, and
nothing changes when the report is built or drawn. docs/report-json.md says what each figure
means. The order of the keys in the JSON is the order the builders write them in, not the order
they are declared in here.

A count as published is an int or a string ("fewer than 10", "withheld"); a share, interval or
ratio is None where disclosure control withholds it. Keys marked NotRequired are written by some
builders only (a dimension with no census benchmark has counts and shares, nothing more).

The figures before disclosure control (Proportion, ComputedIndicator and their rows) come last:
they are what the reports are made from, and never published as they are.
"""

from typing import Literal, NotRequired, TypedDict

# A count of respondents as published: the count, or "fewer than 10" or "withheld".
PublishedCount = int | str
ReportKind = Literal["interim", "final"]
IndicatorKind = Literal["headline", "priority"]
# How a group's share compares with everyone else's in the base, where the difference is clear.
Direction = Literal["higher", "lower"]


# Proportions as published: counts disclosure-checked, figures None when withheld.


class ShareFigures(TypedDict):
    share: float | None
    interval_low: float | None
    interval_high: float | None


class WeightedShareFigures(ShareFigures):
    weighted_share: float | None
    weighted_interval_low: float | None
    weighted_interval_high: float | None
    effective_n: float | None


class PublishedProportion(ShareFigures):
    n: PublishedCount
    numerator: PublishedCount


class PublishedWeightedProportion(PublishedProportion):
    weighted_share: float | None
    weighted_interval_low: float | None
    weighted_interval_high: float | None
    effective_n: float | None


# The front matter.


class Disclosure(TypedDict):
    threshold: int
    rule: str


class SurveyInfo(TypedDict):
    id: int
    slug: str
    wave: int
    version: int
    imported_from: str | None
    title: str
    status: str
    opened_on: str | None
    closed_on: str | None


# Fieldwork, response quality, channels and languages.


class DayCount(TypedDict):
    date: str
    count: PublishedCount


class Fieldwork(TypedDict):
    first_submission: str | None
    last_submission: str | None
    submitted: PublishedCount
    in_progress: PublishedCount
    by_day: list[DayCount]


class SignCount(TypedDict):
    sign: str
    label: str
    count: int


class ResponseQuality(TypedDict):
    excluded: int
    by_sign: list[SignCount]
    statement: str


class ChannelRow(TypedDict):
    slug: str
    name: str
    partner: str
    archived: bool
    count: PublishedCount
    last_7_days: PublishedCount
    dormant: bool


class ChannelTable(TypedDict):
    rows: list[ChannelRow]
    untagged: PublishedCount
    unknown_link: PublishedCount
    dormant: list[str]
    recent_days: int


class LanguageRow(TypedDict):
    language: str  # the code stored with each response: "en", "pl"
    name: str  # in English: "Polish"
    count: PublishedCount


class LanguageTable(TypedDict):
    """Counted responses by the language they were given in. The rows add up to the responses
    submitted, so secondary suppression applies across them."""

    rows: list[LanguageRow]
    only_english: bool


# Representativeness: each census dimension against its population.


class CategoryResult(TypedDict):
    """One category of a dimension. Without a benchmark only its count and share are known."""

    category: str
    label: str
    n: PublishedCount
    sample_share: float | None
    population_share: NotRequired[float]
    representation_ratio: NotRequired[float | None]
    interval_low: NotRequired[float | None]
    interval_high: NotRequired[float | None]
    flag_interval_low: NotRequired[float | None]
    flag_interval_high: NotRequired[float | None]
    flag_interval_confidence: NotRequired[float]
    expected_n: NotRequired[float]
    flag: NotRequired[str]
    responses_needed: NotRequired[int | None]


class BenchmarkSource(TypedDict):
    source: str
    year: int


class GoodnessOfFitResult(TypedDict):
    statistic: float | None
    df: int
    p_value: float | None
    merged_categories: tuple[str, ...]


class DimensionResult(TypedDict):
    """One census dimension. Answers outside the benchmark's population are counted only for
    a dimension compared with its benchmark."""

    dimension: str
    label: str
    benchmark: BenchmarkSource | None
    answered: PublishedCount
    not_stated: PublishedCount
    outside_population: NotRequired[PublishedCount | None]
    outside_population_words: NotRequired[str | None]
    categories: list[CategoryResult]
    goodness_of_fit: GoodnessOfFitResult | None
    message: str | None


class ReachFigures(TypedDict):
    """How well one route into the survey (a channel, a language) reaches a group: its
    respondents who answered the dimension, and the group's count and share among them."""

    n: PublishedCount
    group_count: PublishedCount
    group_share: float | None
    group_share_low: float | None


class ChannelReach(ReachFigures):
    """How well one channel reaches a group: the group's share of its respondents."""

    channel: str
    partner: str | None


class LanguageReach(ReachFigures):
    """How well responses in one language reach a group: the group's share of them."""

    language: str
    name: str


class GroupHeading(TypedDict):
    """What names a census group."""

    dimension: str
    dimension_label: str
    category: str
    label: str
    flag: str


class Group(GroupHeading):
    """An over-represented group."""

    name: str


class FlaggedGroup(Group):
    """An under- or possibly under-represented group, and the channels that reach it."""

    n: PublishedCount
    sample_share: float | None
    population_share: float
    responses_needed: int | None
    channel_reach: list[ChannelReach]
    language_reach: list[LanguageReach]


class Representativeness(TypedDict):
    dimensions: list[DimensionResult]
    flagged_groups: list[FlaggedGroup]
    over_represented_groups: list[Group]


class TargetProgress(TypedDict):
    label: str
    n: PublishedCount
    target: int
    remaining: int | None
    proportion_of_target: float | None
    met: bool


class Targets(TypedDict):
    parent_under_40: TargetProgress


# Indicators: unweighted (early results) and weighted (the final report's results).


class BreakdownRow(PublishedProportion):
    category: str
    label: str
    differs_from_rest: bool | None
    direction: Direction | None


class IndicatorResult(PublishedProportion):
    key: str
    label: str
    kind: IndicatorKind
    base: str
    breakdowns: dict[str, list[BreakdownRow]]


class EarlyResults(TypedDict):
    caveat: str
    weighted: bool
    indicators: list[IndicatorResult]


class WeightedBreakdownRow(PublishedWeightedProportion):
    category: str
    label: str
    differs_from_rest: bool | None
    direction: Direction | None


class WeightedIndicatorResult(PublishedWeightedProportion):
    key: str
    label: str
    kind: IndicatorKind
    base: str
    breakdowns: dict[str, list[WeightedBreakdownRow]]


class DimensionName(TypedDict):
    dimension: str
    label: str


class WeightedResults(TypedDict):
    weighted: bool
    note: str
    breakdown_dimensions: list[DimensionName]
    indicators: list[WeightedIndicatorResult]


# Every closed question's answers.


class OptionResult(PublishedWeightedProportion):
    """One answer. Its weighted figures are None in the interim report and without weights."""

    value: str
    label: str


class QuestionTable(TypedDict):
    item: str | None
    answer_id: str
    n: PublishedCount
    options: list[OptionResult]


class QuestionResult(TypedDict):
    question: str
    wording: str
    kind: str
    weighted: bool
    tables: list[QuestionTable]


# The summary the reports open with.


class TopChannel(TypedDict):
    channel: str
    count: int


class BestChannel(TypedDict):
    channel: str
    partner: str | None
    group_share: float | None
    group_count: PublishedCount
    n: PublishedCount


class MissingGroup(TypedDict):
    group: str
    audience: str
    dimension: str
    category: str
    flag: str
    flag_label: str
    sample_share: float | None
    population_share: float
    responses_needed: int | None
    best_channels: list[BestChannel]
    corrected_by_weighting: bool


class HeadlineResult(TypedDict):
    key: str
    label: str
    share: float | None
    interval_low: float | None
    interval_high: float | None
    n: PublishedCount
    weighted: bool


class PriorityShare(TypedDict):
    label: str
    share: float | None
    interval_low: float | None
    interval_high: float | None


class Priorities(TypedDict):
    top: list[PriorityShare]
    stands_out: bool
    lowest_share: float | None
    highest_share: float | None


class Summary(TypedDict):
    kind: ReportKind
    responses: str
    submitted: PublishedCount
    top_channels: list[TopChannel]
    missing_groups: list[MissingGroup]
    headline_results: list[HeadlineResult]
    priorities: Priorities
    weighted_dimensions: list[str]
    next_steps: list[str]
    weighted: bool


# The final report's comparison with the survey's previous wave.

ChangeDirection = Literal["up", "down"]


class Change(TypedDict):
    """One share in the previous wave and in this one, and the change between them (this wave
    less the previous, as a proportion: 0.04 is 4 percentage points). Each share is as
    published in its own wave's report; the change is withheld (None) where either is."""

    key: str
    label: str
    previous_share: float | None
    previous_n: PublishedCount
    current_share: float | None
    current_n: PublishedCount
    change: float | None
    change_low: float | None
    change_high: float | None
    # Holm-adjusted within the family (the headline indicators; or one question's options).
    significant: bool | None
    direction: ChangeDirection | None


class NotCompared(TypedDict):
    label: str
    reason: str


class QuestionChange(TypedDict):
    question: str
    answer_id: str
    wording: str
    item: str | None
    changes: list[Change]


class Comparison(TypedDict):
    previous: SurveyInfo
    weighted: bool
    note: str
    method: str
    indicators: list[Change]
    questions: list[QuestionChange]
    not_compared: list[NotCompared]


# The final report's weighting and methodology.


class WeightingCategory(TypedDict):
    category: str
    label: str
    population_share: float
    weighted_share: float


class WeightingDimension(TypedDict):
    dimension: str
    label: str
    source: str | None
    categories: list[WeightingCategory]


class UnusedDimension(TypedDict):
    dimension: str
    label: str
    reason: str


class MergedCategory(TypedDict):
    dimension: str
    dimension_label: str
    category: str
    label: str
    merged_into: str
    merged_into_label: str
    description: str | None


class Weighting(TypedDict):
    """How the weights were made; every figure of the weights is None when none could be."""

    weighted: bool
    method: str
    dimensions: list[WeightingDimension]
    not_used: list[UnusedDimension]
    sources: dict[str, str]
    cap: float
    respondents: PublishedCount
    converged: bool | None
    iterations: int | None
    max_margin_error: float | None
    design_effect: float | None
    effective_n: float | None
    smallest_weight: float | None
    largest_weight: float | None
    merged_categories: list[MergedCategory]
    problem: str | None


class MethodologyFieldwork(TypedDict):
    opened_on: str | None
    closed_on: str | None
    first_submission: str | None
    last_submission: str | None
    submitted: PublishedCount


class WeightingTarget(TypedDict):
    dimension: str
    label: str
    source: str | None


class IndicatorBase(TypedDict):
    label: str
    base: str


class Methodology(TypedDict):
    fieldwork: MethodologyFieldwork
    channels_used: list[str]
    weighting: str
    weighting_targets: list[WeightingTarget]
    design_effect: float | None
    effective_n: float | None
    suppression_rule: str
    prefer_not_to_say: str
    flag_rule: str
    intervals: str
    indicator_bases: list[IndicatorBase]
    free_text: str
    response_quality: str


# The reports. With no survey there is nothing to count: only the front matter is written,
# with `survey` and `summary` None (and the final report's own parts None as well).


class ReportParts(TypedDict):
    title: str
    generated_on: str
    disclosure: Disclosure
    messages: list[str]
    survey: SurveyInfo | None
    fieldwork: NotRequired[Fieldwork]
    response_quality: NotRequired[ResponseQuality]
    channels: NotRequired[ChannelTable]
    languages: NotRequired[LanguageTable]
    representativeness: NotRequired[Representativeness]
    targets: NotRequired[Targets]
    early_results: NotRequired[EarlyResults]
    questions: NotRequired[list[QuestionResult]]
    summary: Summary | None


class InterimReport(ReportParts):
    kind: Literal["interim"]


class FinalReport(ReportParts):
    kind: Literal["final"]
    weighting: Weighting | None
    weighted_results: WeightedResults | None
    comparison: NotRequired[Comparison | None]
    methodology: Methodology | None


Report = InterimReport | FinalReport


# Figures before disclosure control: what the published ones are made from.


class Proportion(TypedDict):
    n: int
    numerator: int
    share: float | None
    interval_low: float | None
    interval_high: float | None


class WeightedProportion(Proportion):
    weighted_share: float | None
    weighted_interval_low: float | None
    weighted_interval_high: float | None
    effective_n: float | None


class GroupProportion(Proportion):
    """One census group of an indicator, compared with everyone else in its base."""

    category: str
    p_value: float
    differs_from_rest: bool
    direction: Direction | None


class WeightedGroupProportion(WeightedProportion):
    category: str
    p_value: float
    differs_from_rest: bool
    direction: Direction | None


class ComputedIndicator(Proportion):
    key: str
    label: str
    kind: IndicatorKind
    base: str
    breakdowns: dict[str, list[GroupProportion]]


class ComputedWeightedIndicator(WeightedProportion):
    key: str
    label: str
    kind: IndicatorKind
    base: str
    breakdowns: dict[str, list[WeightedGroupProportion]]
