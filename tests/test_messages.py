"""The bilingual message catalog: every key in both languages, the language switch."""

import importlib
import pkgutil

import pytest

import resnet_course.autograder
import resnet_course.utils
from resnet_course.utils import messages


def _import_every_module():
    """Messages are registered by the modules that use them: import them all."""
    for package in (resnet_course.utils, resnet_course.autograder):
        for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
            importlib.import_module(info.name)


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
