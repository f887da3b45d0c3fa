"""jupytext and the sources: nbgrader metadata survives every way a source is read and saved.

Measured with jupytext 1.19: a MyST file keeps all cell metadata unless a
`cell_metadata_filter` says otherwise; course/notebooks/jupytext.toml fixes the filter to
`lang,nbgrader,tags,-all` for an editor saving a file whose header names none.
"""

from pathlib import Path

import jupytext
import pytest
from jupytext.config import find_jupytext_configuration_file, load_jupytext_configuration_file

from _build_helpers import COURSE, FIXTURE_SOURCE
from resnet_course.autograder.authoring import source_checks
from resnet_course.autograder.authoring.sources import NOTEBOOKS

SOURCES = [FIXTURE_SOURCE] + [COURSE / "notebooks" / f"{stem}.md" for stem in NOTEBOOKS]


def _cells(nb):
    return [(c.cell_type, c.source, dict(c.metadata)) for c in nb.cells]


def _graded_metadata(nb):
    return [c.metadata["nbgrader"] for c in nb.cells if "nbgrader" in c.metadata]


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_source_round_trips_with_its_cell_metadata(path):
    nb = jupytext.read(path)
    assert _graded_metadata(nb), "a source without nbgrader cells tests nothing"
    again = jupytext.reads(jupytext.writes(nb, fmt="md:myst"), fmt="md:myst")
    assert _cells(again) == _cells(nb)


def _editor_save(nb, config):
    """What JupyterLab's jupytext does on save: notebook → text with the folder's config."""
    fmt = {"extension": ".md", "format_name": "myst"}
    config.set_default_format_options(fmt)
    return jupytext.reads(jupytext.writes(nb, fmt=fmt), fmt="md:myst")


def test_folder_config_keeps_grading_metadata_and_drops_editor_noise():
    path = find_jupytext_configuration_file(str(COURSE / "notebooks"))
    assert Path(path) == COURSE / "notebooks" / "jupytext.toml"
    config = load_jupytext_configuration_file(path)
    assert config.cell_metadata_filter == "lang,nbgrader,tags,-all"

    nb = jupytext.read(FIXTURE_SOURCE)
    nb.metadata["jupytext"].pop("cell_metadata_filter")  # a header that names no filter
    for cell in nb.cells:
        cell.metadata.update({"editable": False, "deletable": False, "collapsed": True})
    saved = _editor_save(nb, config)
    assert _graded_metadata(saved) == _graded_metadata(jupytext.read(FIXTURE_SOURCE))
    assert [c.metadata.get("lang") for c in saved.cells] == [c.metadata.get("lang") for c in nb.cells]
    assert not any({"editable", "deletable", "collapsed"} & set(c.metadata) for c in saved.cells)


def test_a_dropping_filter_loses_nbgrader_metadata_and_the_header_check_says_so():
    nb = jupytext.read(FIXTURE_SOURCE)
    nb.metadata["jupytext"]["cell_metadata_filter"] = "-all"
    text = jupytext.writes(nb, fmt="md:myst")
    lost = jupytext.reads(text, fmt="md:myst")
    assert _graded_metadata(lost) == []  # what the guard exists for
    problems = source_checks.check_header(lost, "x.md", text)
    assert [key for key, _ in problems] == ["source.filter_drops"] * 3
