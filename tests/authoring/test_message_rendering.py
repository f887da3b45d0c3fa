"""The acceptance test of #15: every registered message renders, in Korean and in English, with
values like the ones the code passes, and its fields agree with its call sites.

For each message of the catalog (importing every module registers them all):
- it renders in each language with a representative value per field, chosen from the field's
  format spec (`{n:,}` an int, `{diff:.3g}` a float, `{name!r}` or a plain `{name}` a string);
- the Korean template glues no particle to a field ("{name}이(가)", "{expected}여야");
- both languages use the same fields (a value shown in one language only is a message that
  says less in the other).
For each place in utils/ and autograder/ that renders or records a message with a literal key
(`text("key", ...)`, `label`, `CourseError`, `ArtifactError`, `Verdict.fail`, `Phrase`, a
problem `("key", {...})`, any call whose first argument is a registered key) and names its
values: it passes no value that neither template uses, and no field of the templates is left
without a value (that would be a KeyError in front of a student).
"""

import ast
import importlib
import pkgutil
import string
from pathlib import Path

import resnet_course.autograder
import resnet_course.utils
from resnet_course.autograder.authoring.prose_style import glued_to_fields
from resnet_course.utils import messages
from resnet_course.utils.messages import Phrase

ROOTS = (resnet_course.utils, resnet_course.autograder)

# Values passed beside a message's fields on purpose, never shown: {(key, value name): why}.
NOT_SHOWN = {
    ("model.look_at", "cause"): "the key of the cause, stored for the class report (grading/report_stats.py)",
}
# Values a later step adds to every problem a module finds: {value name: (modules, why)}.
FILLED_LATER = {
    "block": (("autograder/diagnosis/blocks.py", "autograder/diagnosis/block_parts.py"),
              "where the block is: blocks._diagnose_single leaves it empty for a lone block, "
              "blocks.located names a ResNet50's block"),
}
# Arguments of the rendering functions themselves, not message values.
RENDERING_ARGUMENTS = {"in_language"}


def _catalog():
    for package in ROOTS:
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
    return {key: texts for key, texts in messages.catalog().items() if not key.startswith("test.")}


def fields(template):
    """{field name: (format spec, conversion)} of a template; `{a.b}` and `{a[0]}` count as `a`."""
    found = {}
    for _, name, spec, conversion in string.Formatter().parse(template):
        if name is None:
            continue
        base = name.split(".", 1)[0].split("[", 1)[0]
        found[base] = (spec or "", conversion)
    return found


def representative(spec, conversion):
    """A value of the kind a field's format spec asks for."""
    kind = spec[-1:] if spec else ""
    if conversion is None and kind in ("e", "E", "f", "F", "g", "G", "%"):
        return 0.01234
    if conversion is None and (kind in ("d", "n", "x", "b", "o") or spec.endswith(",") or spec == ","):
        return 12345
    return "hidden_3"


def render_problems(key, texts):
    """What is wrong with one message when it is rendered: [(key, what, detail)]."""
    problems = []
    used = {lang: fields(texts[lang]) for lang in ("ko", "en")}
    values = {}
    for lang in ("ko", "en"):
        for name, (spec, conversion) in used[lang].items():
            values.setdefault(name, representative(spec, conversion))
    for lang in ("ko", "en"):
        try:
            shown = texts[lang].format(**values)
        except (KeyError, IndexError, ValueError, AttributeError) as error:
            problems.append((key, f"does not render in {lang}", repr(error)))
            continue
        if not shown.strip():
            problems.append((key, f"renders empty in {lang}", ""))
    for text in glued_to_fields(texts["ko"]):
        problems.append((key, "particle glued to a field", text))
    only_ko, only_en = set(used["ko"]) - set(used["en"]), set(used["en"]) - set(used["ko"])
    if only_ko:
        problems.append((key, "fields only the Korean uses", sorted(only_ko)))
    if only_en:
        problems.append((key, "fields only the English uses", sorted(only_en)))
    return problems


# ---------------------------------------------------------------------------------------
# The call sites
# ---------------------------------------------------------------------------------------

def _names_of(node):
    """The value names a call or a dict gives, or None when it cannot be known (**values)."""
    if isinstance(node, ast.Dict):
        if any(k is None or not isinstance(k, ast.Constant) for k in node.keys):
            return None
        return {k.value for k in node.keys}
    if isinstance(node, ast.Call):
        if any(k.arg is None for k in node.keywords):
            return None
        return {k.arg for k in node.keywords} - RENDERING_ARGUMENTS
    return None


def call_sites(source, path, catalog):
    """[(key, names passed, where)] for every use of a registered key whose values are spelled out."""
    found = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant) \
                and node.args[0].value in catalog:
            func = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if func == "register":
                continue
            names = _names_of(node) if len(node.args) == 1 else None
            if names is not None:
                found.append((node.args[0].value, names, f"{path}:{node.lineno}"))
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Constant) \
                and node.elts[0].value in catalog:
            second = node.elts[1]
            if isinstance(second, ast.Call) and getattr(second.func, "id", None) != "dict":
                continue
            names = _names_of(second)
            if names is not None:
                found.append((node.elts[0].value, names, f"{path}:{node.lineno}"))
    return sorted(found, key=lambda site: int(site[2].rsplit(":", 1)[1]))


def call_problems(sites, catalog):
    problems = []
    for key, names, place in sites:
        used = set(fields(catalog[key]["ko"])) | set(fields(catalog[key]["en"]))
        unused = {name for name in names - used if (key, name) not in NOT_SHOWN}
        if unused:
            problems.append((key, f"{place} passes values neither template uses", sorted(unused)))
        later = {name for name, (modules, _) in FILLED_LATER.items() if place.startswith(modules)}
        if used - names - later:
            problems.append((key, f"{place} leaves fields without a value", sorted(used - names - later)))
    return problems


def _package_sources():
    for package in ROOTS:
        root = Path(package.__file__).parent
        for path in sorted(root.rglob("*.py")):
            yield path.relative_to(root.parent), path.read_text(encoding="utf-8")


def _report(problems):
    return "\n".join(f"{key}: {what}: {detail}" for key, what, detail in problems)


# ---------------------------------------------------------------------------------------
# The real catalog
# ---------------------------------------------------------------------------------------

def test_every_message_renders_in_both_languages_with_the_same_fields_and_no_glued_particle():
    catalog = _catalog()
    assert len(catalog) > 300
    problems = [p for key, texts in sorted(catalog.items()) for p in render_problems(key, texts)]
    assert not problems, _report(problems)


def test_every_message_renders_through_the_catalog_in_each_language():
    """The real `text` and `label`, with Phrase values too: one language per line, no field left."""
    catalog = _catalog()
    for key, texts in sorted(catalog.items()):
        values = {}
        for lang in ("ko", "en"):
            for name, (spec, conversion) in fields(texts[lang]).items():
                values.setdefault(name, representative(spec, conversion))
        korean = messages.text(key, in_language="ko", **values)
        english = messages.text(key, in_language="en", **values)
        assert messages.text(key, in_language="both", **values) == f"{korean}\n{english}"
        assert messages.label(key, in_language="both", **values) == f"{korean} / {english}"
    # a nested message keeps to the language of its line
    inner = Phrase("model.mode_inference")
    both = messages.text("model.values_differ", case="c", mode=inner, diff=0.5).split("\n")
    assert catalog["model.mode_inference"]["ko"] in both[0] and catalog["model.mode_inference"]["en"] not in both[0]
    assert catalog["model.mode_inference"]["en"] in both[1] and catalog["model.mode_inference"]["ko"] not in both[1]


def test_every_call_site_passes_exactly_the_fields_its_message_uses():
    catalog = _catalog()
    sites = [site for path, source in _package_sources() for site in call_sites(source, path, catalog)]
    assert len(sites) > 200  # the scan sees the call sites (text, CourseError, problems, Phrase, ...)
    assert {key for key, _, _ in sites} >= {"intake.missing", "model.look_at", "block.bn_missing",
                                            "resnet_check.param_count", "vanishing.norms.values"}
    problems = call_problems(sites, catalog)
    assert not problems, _report(problems)


def test_the_allowance_for_values_not_shown_is_still_needed():
    catalog = _catalog()
    sites = [site for path, source in _package_sources() for site in call_sites(source, path, catalog)]
    for key, name in NOT_SHOWN:
        assert name not in set(fields(catalog[key]["ko"])) | set(fields(catalog[key]["en"]))
        assert any(k == key and name in names for k, names, _ in sites), (key, name)


# ---------------------------------------------------------------------------------------
# The checks catch what they are for
# ---------------------------------------------------------------------------------------

PLANTED = {
    "x.glued": {"ko": "{name}이(가) 없습니다.", "en": "{name} is missing."},
    "x.glued_code": {"ko": "`{layer}`를 지우세요.", "en": "Remove `{layer}`."},
    "x.must_be": {"ko": "{expected}여야 합니다.", "en": "Expected {expected}."},
    "x.korean_only": {"ko": "`{name}` 층의 크기가 {size}입니다.", "en": "Layer `{name}` has the wrong size."},
    "x.english_only": {"ko": "블록이 틀렸습니다.", "en": "Block {block} is wrong."},
    "x.bad_spec": {"ko": "차이 {diff:.3g}입니다.", "en": "Difference {diff:.3q}."},
    "x.fine": {"ko": "`{name}` 층의 차이는 {diff:.3g}, 개수는 {n:,}개입니다.",
               "en": "Layer `{name}`: difference {diff:.3g}, count {n:,}."},
}


def test_planted_bad_messages_are_caught_and_a_good_one_is_not():
    found = {}
    for key, texts in PLANTED.items():
        for k, what, detail in render_problems(key, texts):
            found.setdefault(k, []).append((what, detail))
    assert sorted(found) == ["x.bad_spec", "x.english_only", "x.glued", "x.glued_code", "x.korean_only",
                             "x.must_be"]
    assert found["x.glued"] == [("particle glued to a field", "{name}이(가)")]
    assert found["x.glued_code"] == [("particle glued to a field", "{layer}`를")]
    assert found["x.must_be"] == [("particle glued to a field", "{expected}여야")]
    assert found["x.korean_only"] == [("fields only the Korean uses", ["size"])]
    assert found["x.english_only"] == [("fields only the English uses", ["block"])]
    assert [what for what, _ in found["x.bad_spec"]] == ["does not render in en"]


def test_representative_values_follow_the_format_spec():
    assert isinstance(representative(",", None), int) and f"{representative(',', None):,}" == "12,345"
    assert isinstance(representative("d", None), int)
    assert isinstance(representative(".3g", None), float) and isinstance(representative(".2e", None), float)
    assert representative("", "r") == representative("", None) == "hidden_3"
    assert fields("{a.b} {c[0]:>4} {d!r} {{not}}") == {"a": ("", None), "c": (">4", None), "d": ("", "r")}


PLANTED_SOURCE = '''
from resnet_course.utils.messages import text, CourseError, Phrase
text("x.fine", name="conv", diff=0.1, n=3, in_language="ko")     # exact
CourseError("x.fine", name="conv", diff=0.1, n=3, block="4c")    # block: shown nowhere
problems = [("x.fine", {"name": "conv", "diff": 0.1})]           # n left out: a KeyError later
add("x.fine", name="conv", diff=0.1, n=3, stage=4)               # any call with a registered key
Phrase("x.fine", **values)                                       # unknowable: not judged
text(f"x.{which}", a=1)                                          # not a literal key: not judged
'''


def test_planted_bad_call_sites_are_caught():
    catalog = dict(PLANTED)
    sites = call_sites(PLANTED_SOURCE, "planted.py", catalog)
    assert [(k, sorted(n), w) for k, n, w in sites] == [
        ("x.fine", ["diff", "n", "name"], "planted.py:3"),
        ("x.fine", ["block", "diff", "n", "name"], "planted.py:4"),
        ("x.fine", ["diff", "name"], "planted.py:5"),
        ("x.fine", ["diff", "n", "name", "stage"], "planted.py:6"),
    ]
    assert call_problems(sites, catalog) == [
        ("x.fine", "planted.py:4 passes values neither template uses", ["block"]),
        ("x.fine", "planted.py:5 leaves fields without a value", ["n"]),
        ("x.fine", "planted.py:6 passes values neither template uses", ["stage"]),
    ]

