"""The Korean text follows course/glossary.yml, phrase by phrase."""

import nbformat
import pytest

from _build_helpers import COURSE
from resnet_course.autograder.authoring import build
from resnet_course.autograder.authoring.glossary import (check_glossary, english_terms_used, load_glossary,
                                               wrong_variants_used)
from resnet_course.autograder.authoring.sources import NOTEBOOKS
from resnet_course.utils.messages import text

GLOSSARY = load_glossary(COURSE / "glossary.yml")


def _pair(korean, english):
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(korean, metadata={"lang": "ko"}),
        nbformat.v4.new_markdown_cell(english, metadata={"lang": "en"}),
    ])


def _keys(korean, english):
    return [(key, values.get("ko"), values.get("wrong")) for key, values in
            check_glossary(_pair(korean, english), "x.md", GLOSSARY)]


def test_glossary_has_one_korean_term_per_english_term():
    english = [t["en"].lower() for t in GLOSSARY]
    assert len(english) == len(set(english))
    accepted = {t["ko"] for t in GLOSSARY}
    for term in GLOSSARY:
        assert term["ko"] not in term["wrong"]
        assert not accepted & set(term["wrong"]), term
    # the shared starting list: its terms are all here
    for en, ko in (("vanishing gradient", "기울기 소실"), ("gradient descent", "경사 하강법"),
                   ("learning rate", "학습률"), ("identity block", "항등 블록"), ("overfitting", "과대적합")):
        assert {"en": en, "ko": ko} in [{"en": t["en"], "ko": t["ko"]} for t in GLOSSARY]


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_real_sources_follow_the_glossary(stem):
    nb = build.read_source(COURSE / "notebooks" / f"{stem}.md")
    problems = check_glossary(nb, f"{stem}.md", GLOSSARY)
    assert not problems, "\n".join(text(k, **v) for k, v in problems)


def test_phrases_are_matched_longest_first():
    used = [t["en"] for t in english_terms_used("Gradient descent uses the gradients of the loss.", GLOSSARY)]
    assert used == ["gradient descent", "gradient", "loss"]
    assert _keys("경사 하강법은 손실의 기울기를 씁니다.", "Gradient descent uses the gradients of the loss.") == []
    # 경사 inside the accepted 경사 하강법 is no wrong variant
    assert wrong_variants_used("경사 하강법", GLOSSARY) == []


def test_code_and_math_are_not_prose():
    assert _keys("`layers.Dense`를 씁니다.", "We use `layers.Dense` and $w$ as the weight.") == \
        [("glossary.missing", "가중치", None)]


def test_missing_korean_term_is_reported():
    assert _keys("그래디언트가 작아지는 문제입니다.", "This is the vanishing gradient problem.") == [
        ("glossary.missing", "기울기 소실", None),
        ("glossary.wrong", "기울기", "그래디언트"),
    ]


def test_wrong_variants_are_reported_even_without_the_english_term():
    assert sorted(_keys("레이어를 깊게 쌓으면 과적합이 일어납니다.", "Stacking many levels can overfit.")) == [
        ("glossary.wrong", "과대적합", "과적합"), ("glossary.wrong", "층", "레이어")]
    assert _keys("미니 배치 하나로 계산합니다.", "One mini-batch is enough.") == [
        ("glossary.missing", "미니배치", None), ("glossary.wrong", "미니배치", "미니 배치")]


def test_plurals_and_hyphens_match():
    assert [t["en"] for t in english_terms_used("two mini batches and skip-connections", GLOSSARY)] == \
        ["skip connection", "mini-batch"]
    assert [t["en"] for t in english_terms_used("The accuracies rose.", GLOSSARY)] == ["accuracy"]
