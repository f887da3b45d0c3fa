"""The SIGNS stand-in: file layout, balance, determinism, atomic writes, the loader's errors.

Small data sets (a few dozen images) keep this fast; one test draws the full 1200 images,
as a student's first `load_signs()` does (its time is a benchmark figure, not asserted here:
benchmarks/data_difficulty.py and benchmarks/signs_transfer.py print it).
"""

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import h5py
import numpy as np
import pytest

from resnet_course.autograder import cli
from resnet_course.utils import data, hand_pose, messages, signs
from resnet_course.utils.data import (convert_to_one_hot, load_signs, make_signs_dataset,
                                      plot_signs_grid, render_signs_image)
from resnet_course.utils.messages import CourseError

HANGUL = range(0xAC00, 0xD7A4)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    """Both languages, no course data folder, a private cache, not under nbgrader."""
    monkeypatch.setattr(messages, "_chosen", None)
    for name in ("RESNET_COURSE_LANG", "RESNET_COURSE_DATA", "NBGRADER_EXECUTION"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def digest(*arrays):
    sha = hashlib.sha256()
    for array in arrays:
        sha.update(str(array.dtype).encode() + str(array.shape).encode())
        sha.update(np.ascontiguousarray(array).tobytes())
    return sha.hexdigest()


def file_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def small_set(folder, n_train=24, n_test=12, seed=0):
    return make_signs_dataset(folder, n_train=n_train, n_test=n_test, seed=seed, progress=None)


def assert_bilingual(error, key, *fragments):
    """The error is the catalog entry `key`, in Korean and English, naming `fragments`."""
    assert error.key == key
    message = str(error)
    assert messages.text(key, lang="ko", **error.values) in message
    assert messages.text(key, lang="en", **error.values) in message
    assert any(ord(ch) in HANGUL for ch in message)
    for fragment in fragments:
        assert str(fragment) in message


# ---------------------------------------------------------------- the pictures

def test_render_signs_image_draws_a_64x64_rgb_picture():
    image = render_signs_image(3, np.random.default_rng(1))
    assert image.shape == (64, 64, 3) and image.dtype == np.uint8
    assert image.std() > 10  # a picture, not a flat colour
    same = render_signs_image(3, np.random.default_rng(1))
    assert np.array_equal(image, same)
    with pytest.raises(ValueError):
        render_signs_image(6, np.random.default_rng(1))


def _raised_digits(hand):
    """Which of thumb, index, middle, ring, little stand out of the hand, from the posed bones."""
    tubes = hand.tubes
    raised = []
    for finger in range(4):
        bones = tubes[3 * finger:3 * finger + 3]
        length = sum(np.linalg.norm(bone.b - bone.a) for bone in bones)
        reach = bones[2].b - bones[0].a
        # Stretched out in the palm's plane, away from the wrist: a spread little finger
        # leans far to the side, a folded one reaches back towards the palm.
        raised.append(bool(np.hypot(reach[0], reach[1]) > 0.7 * length and reach[1] > 0.3 * length))
    thumb_tip = tubes[14].b
    thumb_out = thumb_tip[0] > hand.palm.corners[:, 0].max() + hand.palm.radius and thumb_tip[2] < 4.0
    return (bool(thumb_out), *raised)


@pytest.mark.parametrize("n", range(6))
def test_each_count_is_signed_as_in_the_signs_photos(n):
    """0 a fist or an O, 1-2 from the index finger, 3 thumb+index+middle (mostly), 4 four
    fingers with the thumb in, 5 the open hand: the raised digits always number n."""
    signs = [_raised_digits(hand_pose.pose_hand(n, np.random.default_rng(seed))) for seed in range(60)]
    assert all(sum(digits) == n for digits in signs), signs
    expected = {0: set(), 1: {1}, 2: {1, 2}, 4: {1, 2, 3, 4}, 5: {0, 1, 2, 3, 4}}
    if n in expected:
        assert all({i for i, up in enumerate(d) if up} == expected[n] for d in signs)
    if n == 3:
        with_thumb = sum(d == (True, True, True, False, False) for d in signs)
        others = sum(d == (False, True, True, True, False) for d in signs)
        assert with_thumb + others == len(signs) and with_thumb > 0.6 * len(signs)
        counting = [_raised_digits(hand_pose.pose_hand(3, np.random.default_rng(s), signing=False))
                    for s in range(20)]
        assert all(d == (False, True, True, True, False) for d in counting)


def test_every_nuisance_has_a_switch_and_nothing_else_varies():
    """With every nuisance held plain, the picture depends on the count alone; letting one
    nuisance vary again changes the picture. So each switch is real, and the benchmark's
    ablations switch off exactly what they name."""
    def pictures(plain, n=2):
        return [render_signs_image(n, np.random.default_rng(seed), plain=plain) for seed in range(8)]

    still = pictures(signs.NUISANCES)
    assert all(np.array_equal(still[0], other) for other in still[1:])
    assert not np.array_equal(still[0], pictures(signs.NUISANCES, n=3)[0])
    for name in signs.NUISANCES:
        if name == "signing":  # not a random draw: the way 0 and 3 are shown
            continue
        # A sleeve shows only where the forearm does: below a fist more than below a V.
        for n in (2, 0):
            varied = pictures(tuple(other for other in signs.NUISANCES if other != name), n=n)
            if any(not np.array_equal(varied[0], other) for other in varied[1:]):
                break
        else:
            raise AssertionError(f"{name} changes no picture of 2 or 0 fingers")
    all_but_signing = tuple(other for other in signs.NUISANCES if other != "signing")
    assert not np.array_equal(pictures(all_but_signing, n=3)[0], pictures(signs.NUISANCES, n=3)[0])
    with pytest.raises(ValueError, match="sparkle"):
        render_signs_image(1, np.random.default_rng(0), plain=("sparkle",))


def test_the_course_data_holds_the_held_plain_nuisances_plain():
    """The course's images hold signs.HELD_PLAIN at their plain values (the benchmark that
    chose them says why); asking for every nuisance still varies them."""
    X, _ = data.generate_signs(6, seed=3)
    again = data.generate_signs(6, seed=3, plain=signs.HELD_PLAIN)[0]
    everything = data.generate_signs(6, seed=3, plain=())[0]
    assert np.array_equal(X, again) and not np.array_equal(X, everything)
    assert set(signs.HELD_PLAIN) < set(signs.NUISANCES)


def test_the_label_is_not_in_the_colour():
    """Mean colour per class must not tell the classes apart: nuisances are label-blind.
    Every nuisance varies here (the ones the course holds plain too): with a plain wall the
    hand's own area, which the count does set, is most of what varies the mean colour."""
    X, Y = data.generate_signs(240, seed=5, plain=())
    means = X.reshape(len(X), -1, 3).mean(axis=1)
    per_class = np.array([means[Y == c].mean(axis=0) for c in range(6)])
    spread_between = per_class.std(axis=0)
    spread_within = means.std(axis=0)
    assert (spread_between < 0.35 * spread_within).all()


# ---------------------------------------------------------------- writing the files

def test_files_have_the_original_layout(tmp_path):
    train_path, test_path = small_set(tmp_path, n_train=30, n_test=12)
    assert (train_path.name, test_path.name) == ("train_signs.h5", "test_signs.h5")
    for path, split, m in ((train_path, "train", 30), (test_path, "test", 12)):
        with h5py.File(path, "r") as h5:
            assert set(h5.keys()) == {f"{split}_set_x", f"{split}_set_y", "list_classes"}
            x, y, classes = h5[f"{split}_set_x"], h5[f"{split}_set_y"], h5["list_classes"]
            assert x.shape == (m, 64, 64, 3) and x.dtype == np.uint8
            assert y.shape == (m,) and y.dtype == np.int64
            assert classes.dtype == np.int64 and list(classes[()]) == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize("n", [6, 13, 50])
def test_classes_are_balanced(n):
    _, labels = data.generate_signs(n, seed=2, split="test")
    counts = np.bincount(labels, minlength=6)
    assert counts.sum() == n and counts.max() - counts.min() <= 1


def test_same_seed_same_arrays_other_seed_other_arrays(tmp_path):
    hashes = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        small_set(tmp_path / name, seed=seed)
        X_train, Y_train, X_test, Y_test, classes = load_signs(tmp_path / name)
        hashes[name] = (digest(X_train, Y_train), digest(X_test, Y_test))
    assert hashes["a"] == hashes["b"]
    assert hashes["a"][0] != hashes["c"][0] and hashes["a"][1] != hashes["c"][1]


def test_training_and_test_sets_share_no_picture():
    X_train, _ = data.generate_signs(60, seed=0, split="train")
    X_test, _ = data.generate_signs(60, seed=0, split="test")
    train_hashes = {digest(x) for x in X_train}
    assert not train_hashes & {digest(x) for x in X_test}


def test_files_are_readable_by_others(tmp_path):
    """The grading sandbox reads the data as another user: not the 0600 of a temporary file."""
    old = os.umask(0o022)
    try:
        train_path, test_path = small_set(tmp_path)
    finally:
        os.umask(old)
    assert (train_path.stat().st_mode & 0o777, test_path.stat().st_mode & 0o777) == (0o644, 0o644)


def test_an_interrupted_write_leaves_no_file(tmp_path, monkeypatch):
    real_create = h5py.Group.create_dataset

    def fail_on_classes(self, name, *args, **kwargs):
        if name == "list_classes":  # the images are already in the temporary file
            raise KeyboardInterrupt
        return real_create(self, name, *args, **kwargs)

    monkeypatch.setattr(h5py.Group, "create_dataset", fail_on_classes)
    with pytest.raises(KeyboardInterrupt):
        small_set(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_overwrite_keeps_the_old_file(tmp_path, monkeypatch):
    train_path, _ = small_set(tmp_path)
    before = file_digest(train_path)

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(h5py.Group, "create_dataset", broken)
    with pytest.raises(OSError):
        make_signs_dataset(tmp_path, n_train=6, n_test=6, overwrite=True, progress=None)
    assert file_digest(train_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test_signs.h5", "train_signs.h5"]


def test_existing_files_are_not_overwritten_unless_asked(tmp_path):
    train_path, test_path = small_set(tmp_path, seed=1)
    before = (file_digest(train_path), file_digest(test_path))
    with pytest.raises(CourseError) as caught:
        small_set(tmp_path, seed=2)
    assert_bilingual(caught.value, "data.exists", train_path, "--force")
    assert (file_digest(train_path), file_digest(test_path)) == before
    make_signs_dataset(tmp_path, n_train=6, n_test=6, seed=2, overwrite=True, progress=None)
    assert load_signs(tmp_path)[0].shape == (6, 64, 64, 3)


def test_no_progress_output_under_nbgrader(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    make_signs_dataset(tmp_path, n_train=6, n_test=6, progress=sys.stdout)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# ---------------------------------------------------------------- loading

def test_load_signs_returns_the_original_shapes(tmp_path):
    small_set(tmp_path, n_train=18, n_test=12)
    X_train, Y_train, X_test, Y_test, classes = load_signs(tmp_path)
    assert X_train.shape == (18, 64, 64, 3) and X_train.dtype == np.uint8
    assert X_test.shape == (12, 64, 64, 3) and X_test.dtype == np.uint8
    assert Y_train.shape == (1, 18) and Y_test.shape == (1, 12)
    assert Y_train.dtype == np.int64 and classes.dtype == np.int64
    assert list(classes) == [0, 1, 2, 3, 4, 5]


def test_convert_to_one_hot_gives_one_column_per_example():
    Y = np.array([[0, 5, 2, 2]])
    one_hot = convert_to_one_hot(Y, 6)
    assert one_hot.shape == (6, 4)
    assert np.array_equal(one_hot.argmax(axis=0), Y.reshape(-1))
    assert np.array_equal(one_hot.sum(axis=0), np.ones(4))
    assert convert_to_one_hot(Y, 6).T.shape == (4, 6)  # how Keras takes it


def write_original_layout(folder, m_train=12, m_test=6, **extra):
    """SIGNS files as another program writes them: h5py directly, gzip, extra keys."""
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for split, m in (("train", m_train), ("test", m_test)):
        x = rng.integers(0, 256, size=(m, 64, 64, 3), dtype=np.uint8)
        y = (np.arange(m) % 6).astype(np.int64)
        with h5py.File(folder / f"{split}_signs.h5", "w") as h5:
            h5.create_dataset(f"{split}_set_x", data=x, compression="gzip", chunks=(1, 64, 64, 3))
            h5.create_dataset(f"{split}_set_y", data=y)
            h5.create_dataset("list_classes", data=np.arange(6, dtype=np.int64))
            h5.create_dataset("notes", data=np.bytes_("photographed by hand"))
            h5.attrs["source"] = "another program"
        arrays[split] = (x, y)
    return arrays


def test_files_written_by_another_program_load(tmp_path):
    arrays = write_original_layout(tmp_path / "real")
    X_train, Y_train, X_test, Y_test, classes = load_signs(tmp_path / "real")
    assert np.array_equal(X_train, arrays["train"][0]) and np.array_equal(Y_train[0], arrays["train"][1])
    assert np.array_equal(X_test, arrays["test"][0]) and np.array_equal(Y_test[0], arrays["test"][1])
    assert list(classes) == list(range(6))


def test_list_classes_in_one_file_is_enough(tmp_path):
    write_original_layout(tmp_path)
    with h5py.File(tmp_path / "train_signs.h5", "a") as h5:
        del h5["list_classes"]
    assert list(load_signs(tmp_path)[4]) == list(range(6))


def test_first_use_generates_the_full_set_in_the_cache(tmp_path, capsys):
    """A student's first load_signs(): an empty cache is filled with the full balanced set, with nothing on stderr."""
    cache = tmp_path / "cache" / "resnet-course" / data.CACHE_FOLDER
    assert not cache.exists()
    # How long the drawing takes is a benchmark figure (benchmarks/data_difficulty.py and
    # signs_transfer.py print its CPU and wall time), not an assert: timing depends on load.
    X_train, Y_train, X_test, Y_test, classes = load_signs()
    assert sorted(p.name for p in cache.iterdir()) == ["test_signs.h5", "train_signs.h5"]
    assert X_train.shape == (1080, 64, 64, 3) and Y_train.shape == (1, 1080)
    assert X_test.shape == (120, 64, 64, 3) and Y_test.shape == (1, 120)
    assert list(np.bincount(Y_train[0])) == [180] * 6
    assert list(np.bincount(Y_test[0])) == [20] * 6
    captured = capsys.readouterr()
    assert captured.err == ""
    assert str(cache) in captured.out
    # The second call reads what the first one wrote.
    before = file_digest(cache / "train_signs.h5")
    again = load_signs()
    assert digest(again[0]) == digest(X_train) and file_digest(cache / "train_signs.h5") == before


def test_resnet_course_data_takes_precedence_over_the_cache(tmp_path, monkeypatch):
    small_set(tmp_path / "course-data", n_train=12, n_test=6)
    monkeypatch.setenv("RESNET_COURSE_DATA", str(tmp_path / "course-data"))
    assert load_signs()[0].shape == (12, 64, 64, 3)
    assert not (tmp_path / "cache").exists()
    explicit = tmp_path / "explicit"
    small_set(explicit, n_train=6, n_test=6)
    assert load_signs(explicit)[0].shape == (6, 64, 64, 3)


def test_data_dir_is_where_load_signs_looks(tmp_path, monkeypatch):
    assert data.data_dir() == tmp_path / "cache" / "resnet-course" / data.CACHE_FOLDER
    monkeypatch.setenv("RESNET_COURSE_DATA", str(tmp_path / "course-data"))
    assert data.data_dir() == tmp_path / "course-data"


def test_an_unwritable_data_folder_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder's parent should be")
    folder = blocker / "signs"
    monkeypatch.setenv("RESNET_COURSE_DATA", str(folder))
    with pytest.raises(CourseError) as caught:
        load_signs()
    assert_bilingual(caught.value, "data.cannot_write", folder, "RESNET_COURSE_DATA", "train_signs.h5")
    assert blocker.read_text().startswith("a file")


def test_one_missing_file_is_not_generated_alone(tmp_path):
    write_original_layout(tmp_path)
    (tmp_path / "test_signs.h5").unlink()
    with pytest.raises(CourseError) as caught:
        load_signs(tmp_path)
    assert_bilingual(caught.value, "data.one_missing", "train_signs.h5", "test_signs.h5")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train_signs.h5"]


# ---------------------------------------------------------------- bad files

def rewrite(path, **datasets):
    """Replace a file's content with `datasets` (None drops a dataset)."""
    with h5py.File(path, "r") as h5:
        content = {name: h5[name][()] for name in h5.keys()}
    content.update(datasets)
    with h5py.File(path, "w") as h5:
        for name, values in content.items():
            if values is not None:
                h5.create_dataset(name, data=values)


def truncate(path):
    raw = Path(path).read_bytes()
    Path(path).write_bytes(raw[: len(raw) // 2])


BAD_FILES = {
    "garbage": (lambda p: p.write_bytes(b"this is not an HDF5 file\n" * 40),
                "data.unreadable", ["train_signs.h5"]),
    "empty": (lambda p: p.write_bytes(b""), "data.unreadable", ["train_signs.h5"]),
    "truncated": (truncate, "data.unreadable", ["train_signs.h5"]),
    "no images": (lambda p: rewrite(p, train_set_x=None),
                  "data.missing_dataset", ["train_signs.h5", "train_set_x", "list_classes, notes, train_set_y"]),
    "no labels": (lambda p: rewrite(p, train_set_y=None), "data.missing_dataset", ["train_set_y"]),
    "small images": (lambda p: rewrite(p, train_set_x=np.zeros((12, 32, 32, 3), np.uint8)),
                     "data.bad_images", ["(12, 32, 32, 3)", "(m, 64, 64, 3)", "uint8"]),
    "grey images": (lambda p: rewrite(p, train_set_x=np.zeros((12, 64, 64), np.uint8)),
                    "data.bad_images", ["(12, 64, 64)"]),
    "float images": (lambda p: rewrite(p, train_set_x=np.zeros((12, 64, 64, 3), np.float32)),
                     "data.bad_images", ["float32"]),
    "float labels": (lambda p: rewrite(p, train_set_y=np.zeros(12, np.float64)),
                     "data.bad_labels", ["train_set_y", "float64"]),
    "count mismatch": (lambda p: rewrite(p, train_set_y=np.zeros(11, np.int64)),
                       "data.count_mismatch", ["12", "11", "train_set_x", "train_set_y"]),
    "label 6": (lambda p: rewrite(p, train_set_y=np.full(12, 6, np.int64)),
                "data.label_out_of_range", ["train_set_y", "6"]),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_gets_a_clear_bilingual_error_and_is_left_alone(tmp_path, case):
    spoil, key, fragments = BAD_FILES[case]
    write_original_layout(tmp_path)
    path = tmp_path / "train_signs.h5"
    spoil(path)
    before = file_digest(path)
    with pytest.raises(CourseError) as caught:
        load_signs(tmp_path)
    assert_bilingual(caught.value, key, *fragments)
    if key != "data.label_out_of_range":
        assert str(path) in str(caught.value)
    assert file_digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["test_signs.h5", "train_signs.h5"]


def test_a_bad_test_file_is_named(tmp_path):
    write_original_layout(tmp_path)
    rewrite(tmp_path / "test_signs.h5", test_set_x=np.zeros((6, 64, 64, 1), np.uint8))
    with pytest.raises(CourseError) as caught:
        load_signs(tmp_path)
    assert_bilingual(caught.value, "data.bad_images", tmp_path / "test_signs.h5", "test_set_x")


def test_no_list_classes_anywhere(tmp_path):
    write_original_layout(tmp_path)
    for name in ("train_signs.h5", "test_signs.h5"):
        rewrite(tmp_path / name, list_classes=None)
    with pytest.raises(CourseError) as caught:
        load_signs(tmp_path)
    assert_bilingual(caught.value, "data.no_classes", "list_classes", "train_signs.h5", "test_signs.h5")


# ---------------------------------------------------------------- the sample grid

def test_plot_signs_grid_labels_every_row_in_both_languages(tmp_path, recwarn):
    small_set(tmp_path, n_train=36, n_test=6)
    X_train, Y_train, *_ = load_signs(tmp_path)
    figure = plot_signs_grid(X_train, Y_train, n_per_class=4)
    assert len(figure.axes) == 24
    title = figure._suptitle.get_text()
    assert "SIGNS" in title and any(ord(ch) in HANGUL for ch in title) and "fingers" in title
    row_labels = [figure.axes[row * 4].get_ylabel() for row in range(6)]
    assert all(f"y = {n}" in text and "손가락" in text for n, text in enumerate(row_labels))
    figure.savefig(tmp_path / "grid.png")
    assert not [w for w in recwarn if "Glyph" in str(w.message)]
    for row in range(6):  # each row shows pictures of its own class
        shown = [ax.images[0].get_array() for ax in figure.axes[row * 4:row * 4 + 4]]
        expected = X_train[Y_train[0] == row][:4]
        assert all(np.array_equal(a, b) for a, b in zip(shown, expected))


# ---------------------------------------------------------------- command line

def test_cli_writes_refuses_and_forces(tmp_path, capsys):
    out = tmp_path / "signs"
    assert cli.main(["data", "--out", str(out), "--seed", "3", "--n-train", "12", "--n-test", "6"]) == 0
    captured = capsys.readouterr()
    assert str(out / "train_signs.h5") in captured.out
    first = load_signs(out)
    assert first[0].shape == (12, 64, 64, 3)

    assert cli.main(["data", "--out", str(out), "--n-train", "12", "--n-test", "6"]) == 1
    assert "--force" in capsys.readouterr().err
    assert digest(load_signs(out)[0]) == digest(first[0])

    preview = tmp_path / "preview.png"
    assert cli.main(["data", "--out", str(out), "--seed", "3", "--n-train", "12", "--n-test", "6",
                     "--force", "--preview", str(preview)]) == 0
    assert digest(load_signs(out)[0]) == digest(first[0])  # same seed, same arrays
    assert preview.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_help_is_bilingual(capsys):
    with pytest.raises(SystemExit):
        cli.main(["data", "--help"])
    help_text = capsys.readouterr().out
    assert "--seed" in help_text and "--out" in help_text
    assert "데이터 세트" in help_text and "data set" in help_text


def test_installed_command_runs(tmp_path):
    command = Path(sys.executable).with_name("resnet-course")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("RESNET_COURSE_DATA", None)
    result = subprocess.run([str(command), "data", "--n-train", "6", "--n-test", "6"],
                            capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "cache" / "resnet-course" / data.CACHE_FOLDER
    assert sorted(p.name for p in written.iterdir()) == ["test_signs.h5", "train_signs.h5"]
