"""The Korean text follows course/glossary.yml, phrase by phrase, and the house rules of
autograder/authoring/prose_style.py: in the notebooks, in every message of the catalog, and in what
the widgets and plots actually show."""

import importlib
import pkgutil
import re

import matplotlib

matplotlib.use("Agg")

import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import resnet_course.autograder  # noqa: E402
import resnet_course.utils  # noqa: E402
from _build_helpers import COURSE  # noqa: E402
from resnet_course.autograder.authoring import build  # noqa: E402
from resnet_course.autograder.authoring.glossary import (  # noqa: E402
    check_glossary, check_messages, check_pair, english_terms_used, korean_in_code, load_glossary,
    load_spellings, wrong_variants_used)
from resnet_course.autograder.authoring.prose_style import (  # noqa: E402
    check_glosses, check_message_style, check_prose_style, glued_particles, glued_to_fields, nested_parentheses)
from resnet_course.autograder.authoring.sources import NOTEBOOKS  # noqa: E402
from resnet_course.utils import messages  # noqa: E402
from resnet_course.utils.messages import text  # noqa: E402

GLOSSARY = load_glossary(COURSE / "glossary.yml")
SPELLINGS = load_spellings(COURSE / "glossary.yml")
HANGUL = re.compile(r"[\uac00-\ud7a3]")


# Notebook 2, section 6 (your own picture) was rewritten with #18 and breaks no rule now;
# an entry here would allow a rule it breaks there, and only there, during a rewrite.
SECTION_6_PENDING = set()


def _pair(korean, english):
    return nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(korean, metadata={"lang": "ko"}),
        nbformat.v4.new_markdown_cell(english, metadata={"lang": "en"}),
    ])


def _keys(korean, english):
    return [(key, values.get("ko"), values.get("wrong")) for key, values in
            check_glossary(_pair(korean, english), "x.md", GLOSSARY)]


def _notebook(*cells):
    """A notebook from ("ko"|"en"|"code", source) pairs."""
    made = [nbformat.v4.new_code_cell(source) if kind == "code"
            else nbformat.v4.new_markdown_cell(source, metadata={"lang": kind}) for kind, source in cells]
    return nbformat.v4.new_notebook(cells=made)


def _report(problems):
    return "\n".join(text(key, **values) for key, values in problems)


# ---------------------------------------------------------------------------------------
# The glossary itself
# ---------------------------------------------------------------------------------------

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


def test_glossary_holds_the_terms_of_issue_15():
    wanted = {"plain network": ("일반 네트워크", "평범한"), "exercise": ("실습", "연습"),
              "return": ("반환", "돌려주"), "edge": ("에지", "모서리"), "label": ("레이블", "라벨"),
              "naming convention": ("이름 규칙", "이름 약속"), "that is": ("즉", None),
              "layout": ("구성", None), "public test": ("공개 테스트", None), "TensorFlow": ("TensorFlow", "텐서플로")}
    terms = {t["en"]: t for t in GLOSSARY}
    for en, (ko, wrong) in wanted.items():
        assert terms[en]["ko"] == ko, en
        assert wrong is None or wrong in terms[en]["wrong"], en
    # layout is never 배치: 배치 is the accepted term for batch, so it cannot be a refused variant
    assert terms["batch"]["ko"] == "배치"
    assert {s["name"] for s in SPELLINGS} == {"sizes are written with the multiplication sign",
                                              "one spelling of TensorFlow"}


# ---------------------------------------------------------------------------------------
# The real sources
# ---------------------------------------------------------------------------------------

def _pending(stem, nb, key, values):
    """A problem the section 6 rewrite will remove (see SECTION_6_PENDING)."""
    first_line = values["where"].split("(", 1)[-1]
    in_section_6 = first_line.startswith(("## 6.", "## 6 "))
    return in_section_6 and (stem, key, values.get("found")) in SECTION_6_PENDING


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_real_sources_follow_the_glossary(stem):
    nb = build.read_source(COURSE / "notebooks" / f"{stem}.md")
    problems = [(k, v) for k, v in check_glossary(nb, f"{stem}.md", GLOSSARY, SPELLINGS)
                if not _pending(stem, nb, k, v)]
    assert not problems, _report(problems)


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_real_sources_follow_the_house_rules(stem):
    nb = build.read_source(COURSE / "notebooks" / f"{stem}.md")
    problems = check_prose_style(nb, f"{stem}.md", GLOSSARY)
    assert not problems, _report(problems)


def test_section_6_allowance_is_still_needed():
    """When the rewrite of notebook 2, section 6 lands, this fails: empty SECTION_6_PENDING."""
    found = set()
    for stem in {stem for stem, _, _ in SECTION_6_PENDING}:
        nb = build.read_source(COURSE / "notebooks" / f"{stem}.md")
        found |= {(stem, k, v.get("found")) for k, v in check_glossary(nb, f"{stem}.md", GLOSSARY, SPELLINGS)
                  if _pending(stem, nb, k, v)}
    assert found == SECTION_6_PENDING


# ---------------------------------------------------------------------------------------
# Every message in the catalog
# ---------------------------------------------------------------------------------------

def _course_catalog():
    """Every message the package registers (importing every module registers them)."""
    for package in (resnet_course.utils, resnet_course.autograder):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    return {key: texts for key, texts in messages.catalog().items() if not key.startswith("test.")}


def _message_problems(catalog):
    found = check_messages(catalog, GLOSSARY, SPELLINGS)
    for key, problems in check_message_style(catalog).items():
        found.setdefault(key, []).extend(problems)
    return found


def test_every_message_follows_the_glossary_and_the_house_rules():
    catalog = _course_catalog()
    assert len(catalog) > 300
    found = _message_problems(catalog)
    problems = [p for key, listed in sorted(found.items()) for p in listed]
    assert not problems, _report(problems)


def test_a_particle_after_inline_code_in_a_message_is_named():
    found = _message_problems({
        "x.code": {"ko": "`resnet-course grade`를 실행하세요.", "en": "Run `resnet-course grade`."},
        "x.both": {"ko": "`{layer}`를 보세요.", "en": "See `{layer}`."},
        "x.fine": {"ko": "`resnet-course grade` 명령을 실행하고 `{layer}` 층의 `x`부터 보세요.", "en": "Run it."},
    })
    assert {key: [v["text"] for _, v in problems] for key, problems in found.items()} == \
        {"x.code": ["`resnet-course grade`를"], "x.both": ["{layer}`를"]}  # said once, not twice


def test_a_message_that_breaks_a_rule_is_named():
    catalog = {
        "x.wrong": {"ko": "{name} 층의 라벨을 돌려줍니다.", "en": "Returns the label of {name}."},
        "x.glued": {"ko": "{name}이(가) 없습니다.", "en": "{name} is missing."},
        "x.fine": {"ko": "`{name}` 층의 레이블을 반환합니다.", "en": "Returns the label of layer `{name}`."},
        "x.size": {"ko": "3x3 합성곱입니다.", "en": "A 7x7 convolution."},
    }
    found = _message_problems(catalog)
    assert sorted(found) == ["x.glued", "x.size", "x.wrong"]
    assert {k for k, _ in found["x.wrong"]} == {"glossary.wrong", "glossary.missing"}
    assert [v["text"] for k, v in found["x.glued"]] == ["{name}이(가)"]
    assert [v["found"] for k, v in found["x.size"]] == ["3x3", "7x7"]  # both languages


# ---------------------------------------------------------------------------------------
# What the widgets and plots show, in Korean and in English
# ---------------------------------------------------------------------------------------

def _figure_texts(figure):
    import matplotlib.pyplot as plt
    from matplotlib.text import Text

    texts = [t.get_text() for t in figure.findobj(Text) if t.get_text().strip()]
    plt.close(figure)
    return texts


def _explorer_texts():
    from resnet_course.utils.widgets import GradientExplorer

    explorer = GradientExplorer(depth=4, width=4, batch=8)
    texts = []
    for residual, measure in ((False, "inputs"), (True, "weights")):
        explorer.controls["residual"].value = residual
        explorer.controls["measure"].value = measure
        data = explorer.plotted_data()
        texts += [data["title"], data["xlabel"], data["ylabel"], explorer.ratio_text.value]
        texts += [line["label"] for line in data["lines"]]
    for control in explorer.controls.values():
        texts.append(control.description)
        texts += [str(option[0]) for option in getattr(control, "options", ()) if isinstance(option, tuple)]
    return texts


def _plot_texts():
    from resnet_course.utils import plotting, signs

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(6, 64, 64, 3), dtype=np.uint8)
    texts = _figure_texts(plotting.plot_training_curves(
        {"loss": [1.0, 0.5], "accuracy": [0.4, 0.7], "val_loss": [1.1, 0.7], "val_accuracy": [0.3, 0.6]}))
    texts += _figure_texts(plotting.plot_confusion_matrix([0, 1, 2], [0, 2, 2], [0, 1, 2]))
    texts += _figure_texts(plotting.plot_misclassified(images[:3], [0, 1, 2], [1, 1, 0], np.full((3, 3), 0.5)))
    texts += _figure_texts(plotting.plot_misclassified(images[:2], [0, 1], [0, 1]))
    texts += _figure_texts(signs.plot_signs_grid(images, np.arange(6), n_per_class=1))
    return texts


@pytest.mark.parametrize("what, shown", [("explorer", _explorer_texts), ("plots", _plot_texts)])
def test_widget_and_plot_labels_follow_the_glossary_in_each_language(what, shown):
    messages.set_language("ko")
    korean = shown()
    messages.set_language("en")
    english = shown()
    assert len(korean) == len(english) > 10
    assert not [t for t in english if HANGUL.search(t)]
    problems = []
    for index, (ko, en) in enumerate(zip(korean, english)):
        problems += check_pair(ko, en, f"{what} label {index + 1} ({ko} / {en})", GLOSSARY, SPELLINGS)
    assert not problems, _report(problems)
    if what == "plots":  # the sample grid's row for one finger
        assert "y = 1\n1 finger" in english and not [t for t in english if t.endswith("\n1 fingers")]


# ---------------------------------------------------------------------------------------
# How the checks work
# ---------------------------------------------------------------------------------------

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


def test_that_is_means_i_e_not_a_relative_clause():
    assert "that is" in [t["en"] for t in english_terms_used("the kernel, that is, the weights", GLOSSARY)]
    assert "that is" in [t["en"] for t in english_terms_used("It is odd. That is, it fails.", GLOSSARY)]
    assert "that is" not in [t["en"] for t in english_terms_used("a layer that is not needed", GLOSSARY)]
    assert _keys("커널, 곧 가중치입니다.", "the kernel, that is, the weights") == [("glossary.missing", "즉", None)]


def test_spellings_hold_in_both_languages_outside_code():
    keys = check_glossary(_pair("3x3 합성곱과 `Conv2D((3, 3))`입니다.", "A 3x3 convolution, an fxf kernel."),
                          "x.md", GLOSSARY, SPELLINGS)
    assert [(k, v["found"]) for k, v in keys if k == "glossary.spelling"] == [("glossary.spelling", "3x3"),
                                                                            ("glossary.spelling", "3x3"),
                                                                            ("glossary.spelling", "fxf")]
    assert [v["found"] for k, v in check_pair("", "Tensorflow and TensorFlow", "x", [], SPELLINGS)] == ["Tensorflow"]
    assert check_pair("1×1 합성곱, 64×64×3 입력", "a 1×1 convolution, `1x1` in code", "x", GLOSSARY, SPELLINGS) == []


def test_korean_comments_and_strings_of_code_cells_are_held_to_the_refused_variants():
    code = 'import resnet_course.utils  # 텐서플로를 조용히 합니다 / quiet\nprint("라벨 / label")\nx = "plain"\n'
    assert korean_in_code(code) == ["# 텐서플로를 조용히 합니다 / quiet", '"라벨 / label"']
    nb = _notebook(("code", code))
    assert sorted(v["wrong"] for _, v in check_glossary(nb, "x.md", GLOSSARY)) == ["라벨", "텐서플로"]


def test_everyday_words_take_no_gloss_and_a_term_is_glossed_once_at_its_first_use():
    nb = _notebook(
        ("ko", "# 기울기 소실 실험\n\n층(layer)을 쌓으면 기울기 소실(vanishing gradient)이 생깁니다."),
        ("en", "x"),
        ("ko", "손실이 줄어듭니다. 역전파가 손실(loss)의 기울기를 전합니다."),
        ("en", "x"),
        ("ko", "기울기 소실(vanishing gradient)을 다시 봅니다. 평균 제곱 오차(mean squared error)와 "
               "평균 제곱 오차(mean squared error)."),
        ("en", "x"),
    )
    problems = [(k, v["gloss"]) for k, v in check_glosses(nb, "x.md", GLOSSARY)]
    assert problems == [
        ("style.everyday_gloss", "(layer)"),          # 층 is an everyday word
        ("style.gloss_not_first", "(loss)"),          # 손실 was used, unglossed, earlier in the cell
        ("style.gloss_twice", "(vanishing gradient)"),
        ("style.gloss_twice", "(mean squared error)"),  # not a glossary term: counted by its English
    ]  # and the title's 기울기 소실 is no first use: the first sentence glosses it


def test_nested_parentheses_are_found_in_both_languages():
    assert nested_parentheses("덧붙입니다(제로 패딩(zero padding)). 다음(끝).") == ["(제로 패딩(zero padding))"]
    assert nested_parentheses("a (b) and (c)") == []
    nb = _notebook(("ko", "최대 풀링(max pooling)입니다."), ("en", "max pooling (a pooling (with max))"))
    assert [k for k, _ in check_prose_style(nb, "x.md", GLOSSARY)] == ["style.nested_parentheses"]


def test_particles_glued_to_code_or_fields_are_found():
    assert glued_particles("`skip_3`가 `h`를 받고, `skip_2` 층이 `x`의 값을 `(m, 1)`에서 씁니다.") == \
        ["`skip_3`가", "`h`를"]  # 의, 에서 fit after anything; "층이" follows a noun
    assert glued_particles("`residual=True`이면 `x`입니다. `F3` 값으로") == []  # the copula fits too
    assert glued_to_fields("{expected}여야 합니다. '{name}'이(가) 없고 `{layer}`를 봅니다.") == \
        ["{expected}여야", "{name}'이(가)", "{layer}`를"]
    assert glued_to_fields("SIGNS 파일({files})이 없고 `{name}` 층은 {path} 파일에") == []


# ---------------------------------------------------------------------------------------
# Texts outside the catalog: the students' bundle README
# ---------------------------------------------------------------------------------------

def _bundle_readme_problems(readme):
    """The glossary and the house rules on the bundle README, each language's text apart."""
    from resnet_course.autograder.authoring.source_checks import prose_text

    ko, en = readme("ko", "resnet_course-1.0-py3-none-any.whl"), readme("en", "resnet_course-1.0-py3-none-any.whl")
    offline = [readme(lang, "w.whl", platform="linux x86_64, Python 3.11") for lang in ("ko", "en")]
    problems = check_pair(ko, en, "bundle README", GLOSSARY, SPELLINGS)
    problems += check_pair(*offline, "bundle README (offline)", GLOSSARY, SPELLINGS)
    for text_ in (ko, offline[0]):
        problems += [("style.glued_particle", {"where": "bundle README", "text": t}) for t in glued_particles(text_)]
    for text_ in (ko, en, *offline):
        problems += [("style.nested_parentheses", {"where": "bundle README", "text": t})
                     for t in nested_parentheses(prose_text(text_))]
    assert not HANGUL.search(en) and not HANGUL.search(offline[1])
    return problems


def test_the_bundle_readme_follows_the_glossary_and_the_house_rules():
    from resnet_course.autograder.authoring import bundle_readme

    problems = _bundle_readme_problems(bundle_readme.readme)
    assert not problems, _report(problems)
