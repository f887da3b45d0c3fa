"""The package's rooms: imports point one way, modules stay small enough to read in one sitting.

Which code a student's kernel runs (checks/, diagnosis/) and which decides grades (judge/)
is a matter of trust, so the direction of imports between the rooms is held here, read from
the source with `ast` (a lazy import inside a function counts as much as one at the top).
"""

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PACKAGE = REPO / "autograder"
ROOMS = ("authoring", "checks", "diagnosis", "judge", "grading")

# room -> the rooms (and single modules) it may import; `utils` is open to everyone.
ALLOWED = {
    "authoring": set(),
    "checks": {"diagnosis"},
    "diagnosis": set(),
    "judge": {"diagnosis", "checks.artifacts"},
    "grading": {"authoring", "checks", "diagnosis", "judge"},
    "cli": set(ROOMS),
}
LINE_LIMIT = 500


def _room(path):
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def _absolute(module, level, path):
    """The dotted name, inside resnet_course.autograder, that an import statement names."""
    if level == 0:
        prefix = "resnet_course.autograder."
        return module[len(prefix):] if module and module.startswith(prefix) else None
    parts = list(path.relative_to(PACKAGE).with_suffix("").parts)  # a/b/c.py or a/b/__init__.py
    base = parts[:-level]  # level 1: the module's own package, in both cases
    return ".".join(base + ([module] if module else []))


def imports_between_rooms(path):
    """[(target inside the package, line)] for every import in one module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                target = _absolute(alias.name, 0, path)
                if target:
                    found.append((target, node.lineno))
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node.module, node.level, path)
            if target is None:
                continue
            if target == "" or target in ROOMS:  # `from resnet_course.autograder import judge`
                found += [(f"{target}.{a.name}".strip("."), node.lineno) for a in node.names]
            else:
                found.append((target, node.lineno))
    return found


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_lives_in_a_room():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.stem not in ("__init__", "cli")]
    assert not loose, f"modules outside the rooms: {loose}"
    assert {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"} == set(ROOMS)


@pytest.mark.parametrize("room", [*ROOMS, "cli"])
def test_imports_point_one_way(room):
    wrong = []
    for path in _modules():
        if _room(path) != room:
            continue
        for target, line in imports_between_rooms(path):
            other = target.split(".")[0]
            if other in ("", room) or other not in (*ROOMS, "cli"):
                continue
            allowed = ALLOWED[room]
            if other not in allowed and ".".join(target.split(".")[:2]) not in allowed:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {target}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_sees_imports(tmp_path, monkeypatch):
    """The guard can fail: a judge module importing grading, lazily, is caught."""
    fake = PACKAGE / "judge" / "compare_blocks.py"
    source = fake.read_text() + "\n\ndef _sneak():\n    from ..grading import sandbox\n"
    planted = tmp_path / "judge" / "compare_blocks.py"
    planted.parent.mkdir()
    planted.write_text(source)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", tmp_path)
    targets = [t for t, _ in imports_between_rooms(planted)]
    assert "grading.sandbox" in targets
    assert "diagnosis.blocks" in targets or "diagnosis.block_parts" in targets


def test_modules_are_small_enough_to_read_in_one_sitting():
    big = [f"{p.relative_to(REPO)} ({n} lines)" for p in [*_modules(), *(REPO / "utils").glob("*.py")]
           if (n := len(p.read_text().splitlines())) > LINE_LIMIT]
    assert not big, big


def test_every_import_inside_the_package_resolves():
    """Lazy imports inside functions too: a moved module must not leave an import behind."""
    import importlib

    missing = []
    for path in _modules():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom):
                continue
            target = _absolute(node.module, node.level, path)
            if target is None:
                continue
            module_name = "resnet_course.autograder" + (f".{target}" if target else "")
            try:
                module = importlib.import_module(module_name)
            except ImportError as error:
                missing.append(f"{path.relative_to(REPO)}:{node.lineno}: {module_name} ({error})")
                continue
            for alias in node.names:
                if not hasattr(module, alias.name):
                    try:
                        importlib.import_module(f"{module_name}.{alias.name}")
                    except ImportError:
                        missing.append(f"{path.relative_to(REPO)}:{node.lineno}: {module_name}.{alias.name}")
    assert not missing, "\n".join(missing)
