"""The report's reading of stored texts, and its histograms: no grading needed.

Reasons are stored as text in the grading run's language; the report must recognise each
kind of reason grading writes, in every language, and give its text in both. The judge's
problems are stored as keys and string values; the report renders them from the catalog.
"""

import pytest

from resnet_course.autograder.grading import report_stats, report_texts
from resnet_course.autograder.grading import guarded_execute  # noqa: F401  (its two death reasons)
from resnet_course.utils.messages import catalog, set_language, text

VALUES = {"code": 3, "signal": "SIGKILL", "detail": "KernelError: boom", "seconds": 900, "limit_mb": 4096,
          "notebook": "02_residual_networks", "found": "my copy.ipynb", "expected": "01_vanishing_gradients",
          "names": "extra.ipynb", "count": 3}


@pytest.fixture(autouse=True)
def _fresh_patterns():
    report_texts._reason_patterns.cache_clear()
    yield
    report_texts._reason_patterns.cache_clear()


def _keys():
    return [(kind, key) for kind, keys in report_texts.REASON_KINDS.items() for key in keys]


def test_every_reason_kind_is_a_registered_message():
    report_texts._reason_patterns()  # imports the modules that register them
    known = catalog()
    assert [key for _, key in _keys() if key not in known] == []


@pytest.mark.parametrize("lang", ["both", "ko", "en"])
@pytest.mark.parametrize("kind,key", _keys())
def test_each_reason_is_recognised_in_each_language(kind, key, lang):
    set_language(lang)
    stored = text(key, **VALUES)
    entry = report_texts.reason_entry(stored, "01_vanishing_gradients")
    assert (entry["kind"], entry["key"]) == (kind, key)
    assert entry["ko"] == text(key, in_language="ko", **VALUES)
    assert entry["en"] == text(key, in_language="en", **VALUES)


def test_an_unknown_reason_is_shown_as_stored():
    entry = report_texts.reason_entry("something new happened")
    assert (entry["kind"], entry["key"], entry["en"]) == ("other", None, "something new happened")


def test_notes_and_notebook_reasons_of_one_result_come_apart():
    notes = [text("grade.not_utf8"), text("intake.renamed", found="x.ipynb", expected="01_vanishing_gradients")]
    notebooks = {"01_vanishing_gradients": {"reason": text("sandbox.death.memory", limit_mb=256), "grades": {}},
                 "02_residual_networks": {"reason": text("intake.missing", notebook="02_residual_networks"),
                                          "grades": {}}}
    result = {"status": "failed", "notebooks": notebooks,
              "reason": "\n".join(notes + [f"{nb}: {o['reason']}" for nb, o in notebooks.items()])}
    entries = report_texts.reason_entries(result)
    assert [(e["notebook"], e["kind"]) for e in entries] == [
        (None, "not_utf8"), (None, "renamed_notebook"),
        ("01_vanishing_gradients", "memory_limit"), ("02_residual_networks", "missing_notebook")]
    assert "256 MB" in entries[2]["en"] and "256 MB" in entries[2]["ko"]


def test_judge_problems_render_in_each_language_from_stored_strings():
    report_texts.load_judge_messages()
    mode = text("model.mode_inference")  # stored by a grading run in `both`: "ko\nen"
    ko, en = report_texts.render_problem("model.values_differ", {"case": "f2_odd", "mode": mode,
                                                                 "diff": "6.207951545715332"})
    assert "6.21" in ko and "6.21" in en  # the stored string met its number format
    assert "추론" in ko and "inference" in en and "추론" not in en
    assert report_texts.render_problem("no.such.key", {}) is None
    assert report_texts.render_problem("block.final_relu_missing", {"block": ""})[1].startswith("The final ReLU")
    # a ResNet50 block's place, stored as the worker stores a Phrase (str: "ko\nen"), keeps to each language
    from resnet_course.utils.messages import Phrase

    ko, en = report_texts.render_problem("block.final_relu_missing", {"block": str(Phrase("block.in_resnet", block="4c"))})
    assert ko.startswith("블록 4c: 마지막 ReLU가 없습니다.") and en.startswith("Block 4c: The final ReLU")


def test_histogram_bins_hold_every_score_and_full_marks_stand_alone():
    hist = report_stats.histogram([0, 0.5, 10.5, 11], 11)
    assert hist["width"] == 1 and len(hist["bins"]) == 12
    assert hist["bins"][-1] == {"low": 11, "high": 11, "count": 1, "full": True}
    assert hist["bins"][0]["count"] == 2 and hist["bins"][10] == {"low": 10, "high": 11, "count": 1, "full": False}
    wide = report_stats.histogram(list(range(44)), 43)
    assert wide["width"] == 3 and sum(b["count"] for b in wide["bins"]) == 44
    assert wide["bins"][-2] == {"low": 42, "high": 43, "count": 1, "full": False}  # 42 is not full marks
    assert wide["bins"][-1]["count"] == 1 and wide["bins"][-1]["full"]
