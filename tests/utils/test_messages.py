"""The bilingual message catalog: every key in both languages, the language switch."""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import resnet_course.autograder
import resnet_course.utils
from resnet_course.utils import messages


def _import_every_module():
    """Messages are registered by the modules that use them: import them all, subpackages too."""
    names = []
    for package in (resnet_course.utils, resnet_course.autograder):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)
            names.append(info.name)
    return names


def test_every_module_of_every_room_is_imported():
    names = _import_every_module()
    for room in ("authoring", "checks", "diagnosis", "judge", "grading"):
        assert any(name.startswith(f"resnet_course.autograder.{room}.") for name in names), room


def test_every_message_has_korean_and_english():
    _import_every_module()
    catalog = messages.catalog()
    assert len(catalog) > 5
    for key, texts in catalog.items():
        assert set(texts) >= {"ko", "en"}, key
        assert texts["ko"].strip() and texts["en"].strip(), key
        # Korean text must actually be Korean, not a copy of the English.
        assert any("\uac00" <= ch <= "\ud7a3" for ch in texts["ko"]), f"{key}: no Hangul in Korean text"
        assert texts["ko"] != texts["en"], key


def test_register_refuses_a_missing_language():
    with pytest.raises(ValueError, match="lacks en"):
        messages.register({"test.only_korean": {"ko": "한국어만 있습니다."}})
    assert "test.only_korean" not in messages.catalog()


def test_register_refuses_a_conflicting_duplicate():
    messages.register({"test.dup": {"ko": "하나", "en": "one"}})
    with pytest.raises(ValueError, match="twice"):
        messages.register({"test.dup": {"ko": "둘", "en": "two"}})


def test_both_is_default_and_puts_korean_first():
    messages.register({"test.hello": {"ko": "안녕하세요, {name}님.", "en": "Hello, {name}."}})
    assert messages.get_language() == "both"
    assert messages.text("test.hello", name="민수") == "안녕하세요, 민수님.\nHello, 민수."
    assert messages.label("test.hello", name="A") == "안녕하세요, A님. / Hello, A."


def test_language_from_function_and_environment(monkeypatch):
    messages.register({"test.bye": {"ko": "안녕히 가세요.", "en": "Goodbye."}})
    monkeypatch.setenv("RESNET_COURSE_LANG", "en")
    assert messages.text("test.bye") == "Goodbye."
    messages.set_language("ko")  # the call wins over the environment
    assert messages.text("test.bye") == "안녕히 가세요."
    with pytest.raises(ValueError) as error:
        messages.set_language("fr")
    assert "알 수 없는 언어" in str(error.value)


def test_course_error_speaks_both_languages():
    error = messages.CourseError("lang.unknown", lang="xx", choices="both, ko, en")
    assert "알 수 없는 언어" in str(error) and "Unknown language" in str(error)


def test_a_nested_message_is_in_the_language_of_each_line_even_from_another_process():
    import pickle

    messages.register({"test.outer": {"ko": "작업자가 거부했습니다: {reason}", "en": "The worker refused: {reason}"},
                       "test.inner": {"ko": "샌드박스가 없습니다({n}개)", "en": "no sandbox ({n})"}})
    plain = messages.text("test.outer", reason=messages.text("test.inner", n=2))
    assert plain.split("\n")[0].endswith("샌드박스가 없습니다(2개)") and "no sandbox" in plain.split("\n")[1]
    assert len(plain.split("\n")) == 4  # a rendered text as a field: both languages inside each line
    expected = "작업자가 거부했습니다: 샌드박스가 없습니다(2개)\nThe worker refused: no sandbox (2)"
    assert messages.text("test.outer", reason=messages.Phrase("test.inner", n=2)) == expected
    # Rendered where it was made, carried as plain strings, wrapped where it is read.
    carried = pickle.loads(pickle.dumps(messages.Rendered.texts_of("test.inner", n=2)))
    assert carried == {"ko": "샌드박스가 없습니다(2개)", "en": "no sandbox (2)"}
    assert messages.text("test.outer", reason=messages.Rendered(carried)) == expected
    messages.set_language("en")
    assert str(messages.Rendered(carried)) == "no sandbox (2)"


# ---------------------------------------------------------------------------------------
# A module renders only the messages registered by itself or by what it imports
# ---------------------------------------------------------------------------------------

ROOTS = {"resnet_course.utils": resnet_course.utils, "resnet_course.autograder": resnet_course.autograder}
_RENDERERS = {"text", "label", "CourseError", "ArtifactError", "fail"}


def _module_files():
    found = {}
    for name, package in ROOTS.items():
        root = Path(package.__file__).parent
        for path in root.rglob("*.py"):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join([name, *parts])] = path
    return found


def _resolve(module, node):
    if node.level == 0:
        return node.module
    base = module.split(".")
    is_package = _module_files()[module].name == "__init__.py"
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _static_facts():
    """Per module: keys it registers, keys it renders, modules it imports (lazily too)."""
    files = _module_files()
    facts = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(), str(path))
        registered, used, imports = set(), set(), set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "register" and node.args and isinstance(node.args[0], ast.Dict):
                    registered |= {k.value for k in node.args[0].keys if isinstance(k, ast.Constant)}
                elif name in _RENDERERS and node.args and isinstance(node.args[0], ast.Constant) \
                        and isinstance(node.args[0].value, str):
                    used.add((node.args[0].value, node.lineno))
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and isinstance(node.elts[0], ast.Constant) \
                    and isinstance(node.elts[0].value, str) and isinstance(node.elts[1], (ast.Dict, ast.Call)):
                used.add((node.elts[0].value, node.lineno))  # a problem: (key, {values}) or (key, dict(...))
            elif isinstance(node, ast.Import):
                imports |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module, node)
                imports.add(target)
                imports |= {f"{target}.{alias.name}" for alias in node.names}
        facts[module] = (registered, used, {i for i in imports if i in files})
    return facts


def test_every_message_a_module_renders_is_registered_where_it_runs():
    """The worker that rendered 'intake.missing' without importing its module crashed a student."""
    facts = _static_facts()
    every_key = set().union(*(registered for registered, _, _ in facts.values()))

    def closure(module, seen):
        if module not in seen:
            seen.add(module)
            parent = module.rsplit(".", 1)[0]
            if parent in facts:  # importing a module runs its package's __init__ first
                closure(parent, seen)
            for other in facts[module][2]:
                closure(other, seen)
        return seen

    missing = []
    for module, (_, used, _) in facts.items():
        reachable = set().union(*(facts[m][0] for m in closure(module, set())))
        reachable |= facts["resnet_course.utils.messages"][0]
        for key, line in sorted(used):
            if key in every_key and key not in reachable:
                missing.append(f"{module}:{line} renders {key!r}, registered where it does not import")
    assert not missing, "\n".join(missing)
