import os
import subprocess
import sys

from reporting.disclosure import (
    FEWER_THAN_THRESHOLD,
    WITHHELD,
    publish_proportion,
    publish_table,
    round_up_to_threshold,
    suppress,
)


def test_counts_from_one_to_nine_are_published_as_fewer_than_ten():
    assert [suppress(count) for count in (1, 9, 10, 250)] == [
        FEWER_THAN_THRESHOLD,
        FEWER_THAN_THRESHOLD,
        10,
        250,
    ]


def test_a_zero_count_describes_nobody_and_is_published():
    assert suppress(0) == 0


def test_a_lone_small_cell_in_a_totalled_table_withholds_the_next_smallest_non_zero_cell():
    published = publish_table({"a": 4, "b": 30, "c": 12, "d": 0})

    assert published == {"a": FEWER_THAN_THRESHOLD, "b": 30, "c": WITHHELD, "d": 0}


def test_two_small_cells_protect_each_other():
    assert publish_table({"a": 4, "b": 3, "c": 12}) == {
        "a": FEWER_THAN_THRESHOLD,
        "b": FEWER_THAN_THRESHOLD,
        "c": 12,
    }


def test_a_share_is_withheld_when_those_without_the_answer_number_under_ten():
    published = publish_proportion(25, 30, {"share": 25 / 30})

    assert published == {"n": 30, "numerator": WITHHELD, "share": None}


def test_a_share_is_withheld_when_its_numerator_is_under_ten_even_zero():
    assert publish_proportion(0, 40, {"share": 0.0})["share"] is None
    assert publish_proportion(0, 40, {"share": 0.0})["numerator"] == FEWER_THAN_THRESHOLD


def test_responses_needed_is_rounded_up_to_a_multiple_of_ten():
    assert [round_up_to_threshold(value) for value in (0, 1, 10, 11)] == [0, 10, 10, 20]


# Four equally small cells beside one hidden one: which is hidden with it must not depend on the
# process (a set's order does, through the hash seed).
TIED_CELLS_SCRIPT = """
from reporting.disclosure import linked_suppressions
cells = {"hidden": 3, "north": 12, "east": 12, "south": 12, "west": 12, "big": 40}
print(sorted(linked_suppressions(cells, {"hidden"}, [(frozenset(cells), None)])))
"""


def test_the_same_figures_hide_the_same_cells_in_every_process() -> None:
    hidden = {
        subprocess.run(
            [sys.executable, "-c", TIED_CELLS_SCRIPT],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in range(8)
    }
    # Of the four tied at 12, the first by name goes with the hidden cell.
    assert hidden == {"['east', 'hidden']\n"}
