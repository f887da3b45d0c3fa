"""The SIGNS hand-signs data set: generated files in the original layout, and their loader.

The course trains on SIGNS: 64x64 RGB pictures of a hand showing 0 to 5 fingers, 1080 for
training and 120 for testing, stored as HDF5 exactly as the original files were:

    train_signs.h5   train_set_x uint8 (1080, 64, 64, 3), train_set_y int64 (1080,),
                     list_classes int64 [0 1 2 3 4 5]
    test_signs.h5    test_set_x uint8 (120, 64, 64, 3),  test_set_y int64 (120,),
                     list_classes int64 [0 1 2 3 4 5]

The original photos cannot be shipped, so `make_signs_dataset` draws a stand-in with
`resnet_course.utils.signs.render_signs_image`. An instructor who has the real files puts
them in a folder and points `RESNET_COURSE_DATA` at it: `load_signs` reads any file in this
layout, whoever wrote it.

Where the files live: the `data_dir` argument, else `RESNET_COURSE_DATA`, else a per-user
cache folder (`$XDG_CACHE_HOME/resnet-course/signs`, by default `~/.cache/...`). When both
files are missing there, `load_signs` generates them (a few seconds); an existing file is
never replaced behind anyone's back.
"""

import os
import sys
import tempfile
from pathlib import Path

import numpy as np

from .messages import CourseError, label, register, text
from .signs import CLASSES, HELD_PLAIN, SIGNS_VERSION, SIZE, plot_signs_grid, render_signs_image

__all__ = [
    "load_signs", "convert_to_one_hot", "make_signs_dataset", "generate_signs",
    "default_data_dir", "data_dir", "plot_signs_grid", "render_signs_image",
]

DATA_ENV = "RESNET_COURSE_DATA"
SPLITS = {"train": "train_signs.h5", "test": "test_signs.h5"}
IMAGE_SHAPE = (SIZE, SIZE, 3)

register({
    "data.generating": {
        "ko": "SIGNS 손 모양 데이터 세트가 없어 새로 만듭니다: {folder}",
        "en": "The SIGNS hand-signs data set is missing; generating it in {folder}",
    },
    "data.progress": {
        "ko": "손 모양 이미지 생성",
        "en": "drawing hand signs",
    },
    "data.written": {
        "ko": "저장했습니다: {path} (이미지 {count}장)",
        "en": "Wrote {path} ({count} images)",
    },
    "data.exists": {
        "ko": "{path} 파일이 이미 있어 덮어쓰지 않았습니다. 새로 만들려면 그 파일을 지우거나 "
              "`--force` 옵션(파이썬에서는 `overwrite=True`)을 붙여 다시 실행하세요.",
        "en": "{path} already exists and was not overwritten. Delete it, or pass `--force` "
              "(`overwrite=True` in Python) to replace it.",
    },
    "data.one_missing": {
        "ko": "{folder} 폴더에 {present} 파일은 있지만 {missing} 파일이 없습니다. 두 파일은 같은 데이터 "
              "세트에서 나와야 하므로 빠진 파일만 새로 만들지 않습니다. 빠진 파일을 넣거나, 두 파일을 모두 "
              "지우고 다시 실행하세요.",
        "en": "{folder} holds {present} but not {missing}. Both files must come from the same data set, "
              "so the missing one is not generated on its own. Add it, or remove both files and run again.",
    },
    "data.cannot_write": {
        "ko": "{folder} 폴더에 SIGNS 파일({files})이 없고, 이 폴더에 새로 만들 수도 없습니다({error}). "
              "환경 변수 {env} 설정이 가리키는 폴더라면 그곳에 train_signs.h5와 test_signs.h5를 넣거나, "
              "`resnet-course data --out 폴더` 명령으로 만든 뒤 환경 변수 {env} 설정을 그 폴더로 바꾸세요.",
        "en": "{folder} has no SIGNS files ({files}) and they cannot be created there ({error}). "
              "If {env} points at this folder, put train_signs.h5 and test_signs.h5 in it, or create "
              "them with `resnet-course data --out FOLDER` and point {env} there.",
    },
    "data.unreadable": {
        "ko": "{path} 파일을 HDF5로 읽을 수 없습니다. 파일이 손상되었거나 중간에 잘렸을 수 있습니다({error}). "
              "원래 파일을 다시 복사하거나, 생성된 데이터라면 파일을 지운 뒤 `resnet-course data` 명령으로 다시 만드세요.",
        "en": "{path} cannot be read as HDF5: it may be corrupt or truncated ({error}). Copy the original "
              "again, or, for generated data, delete it and run `resnet-course data`.",
    },
    "data.missing_dataset": {
        "ko": "{path} 파일에 HDF5 데이터 세트 '{name}' 항목이 없습니다. SIGNS 파일에는 '{x_name}'(이미지)과 "
              "'{y_name}'(레이블)이 있어야 합니다. 파일에 있는 키: {found}",
        "en": "{path} has no dataset '{name}'. A SIGNS file needs '{x_name}' (images) and "
              "'{y_name}' (labels). Keys in the file: {found}",
    },
    "data.bad_images": {
        "ko": "{path} 파일의 '{name}' 항목은 64×64 RGB 이미지 묶음, 즉 모양 (m, 64, 64, 3)에 uint8 자료형이어야 "
              "합니다. 실제로는 모양 {shape}, 자료형 {dtype}입니다.",
        "en": "'{name}' in {path} must be a stack of 64×64 RGB images, that is, shape (m, 64, 64, 3) and dtype "
              "uint8. It has shape {shape} and dtype {dtype}.",
    },
    "data.bad_labels": {
        "ko": "{path} 파일의 '{name}' 항목은 이미지마다 정수 레이블 하나씩, 즉 모양 (m,)의 정수 배열이어야 합니다. "
              "실제로는 모양 {shape}, 자료형 {dtype}입니다.",
        "en": "'{name}' in {path} must hold one integer label per image, that is, an integer array of shape "
              "(m,). It has shape {shape} and dtype {dtype}.",
    },
    "data.count_mismatch": {
        "ko": "{path}의 이미지 수와 레이블 수가 다릅니다: '{x_name}'에는 {x_count}장, '{y_name}'에는 "
              "{y_count}개가 있습니다. 두 수는 같아야 합니다.",
        "en": "{path} has {x_count} images in '{x_name}' but {y_count} labels in '{y_name}'; "
              "the two counts must match.",
    },
    "data.no_classes": {
        "ko": "두 파일 {train}, {test} 어느 쪽에도 'list_classes' 항목이 없습니다. 적어도 한 파일에는 클래스 목록"
              "(예: [0 1 2 3 4 5])이 있어야 합니다.",
        "en": "Neither {train} nor {test} has 'list_classes'. At least one of them must hold the "
              "list of classes (e.g. [0 1 2 3 4 5]).",
    },
    "data.label_out_of_range": {
        "ko": "{path} 파일의 '{name}' 항목에 클래스 목록에 없는 레이블이 있습니다: {bad}. 레이블은 0부터 "
              "{last}까지의 정수여야 합니다.",
        "en": "'{name}' in {path} holds label {bad}, which is not a class: labels must be integers "
              "from 0 to {last}.",
    },
    "data.cli_help": {
        "ko": "SIGNS 손 모양 데이터 세트(train_signs.h5, test_signs.h5)를 만듭니다",
        "en": "generate the SIGNS hand-signs data set (train_signs.h5, test_signs.h5)",
    },
    "data.cli_out": {
        "ko": "저장할 폴더 (기본값: $RESNET_COURSE_DATA, 없으면 사용자 캐시 폴더)",
        "en": "folder to write to (default: $RESNET_COURSE_DATA, else the per-user cache folder)",
    },
    "data.cli_seed": {"ko": "난수 시드 (기본값: 0)", "en": "random seed (default: 0)"},
    "data.cli_n_train": {"ko": "훈련 이미지 수 (기본값: 1080)", "en": "number of training images (default: 1080)"},
    "data.cli_n_test": {"ko": "테스트 이미지 수 (기본값: 120)", "en": "number of test images (default: 120)"},
    "data.cli_force": {"ko": "이미 있는 파일을 덮어씁니다", "en": "replace files that already exist"},
    "data.cli_preview": {
        "ko": "레이블을 붙인 예시 이미지 격자를 이 PNG 파일로도 저장합니다",
        "en": "also save a labelled grid of sample images to this PNG file",
    },
})


# ---------------------------------------------------------------- where the files live

CACHE_FOLDER = f"signs-v{SIGNS_VERSION}"

def default_data_dir():
    """`RESNET_COURSE_DATA` when set, else `$XDG_CACHE_HOME/resnet-course/signs-v<N>` (~/.cache).

    N is the renderer's version (`signs.SIGNS_VERSION`): files drawn by an older renderer
    are left alone, never mixed with or overwritten by the new ones.
    """
    if os.environ.get(DATA_ENV):
        return Path(os.environ[DATA_ENV]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "resnet-course" / CACHE_FOLDER


data_dir = default_data_dir  # the name the grading sandbox asks for


# ---------------------------------------------------------------- generating

def _balanced_labels(n, rng):
    """n labels, every class appearing n // 6 or n // 6 + 1 times, in random order."""
    return rng.permutation(np.arange(n) % len(CLASSES)).astype(np.int64)


def generate_signs(n, seed=0, split="train", progress=None, plain=HELD_PLAIN):
    """Draw `n` images with balanced labels: returns (X uint8 (n, 64, 64, 3), Y int64 (n,)).

    Each split has its own random stream, so the training and test sets never share a
    picture, and each image its own generator, so the same seed gives the same arrays.
    `progress`, if given, is called with the number of images just drawn. `plain` names
    nuisances to hold fixed (`signs.NUISANCES`; the course holds `signs.HELD_PLAIN`, the
    benchmarks' ablations others).
    """
    split_rng = np.random.default_rng([seed, list(SPLITS).index(split)])
    labels = _balanced_labels(n, split_rng)
    image_seeds = split_rng.integers(0, 2**63, size=n)
    images = np.empty((n, *IMAGE_SHAPE), dtype=np.uint8)
    for i, (label_, image_seed) in enumerate(zip(labels, image_seeds)):
        images[i] = render_signs_image(int(label_), np.random.default_rng(image_seed), plain=plain)
        if progress is not None:
            progress(1)
    return images, labels


def _progress_bar(total, stream):
    """A tqdm bar on `stream` (True: stderr); off under nbgrader, where stray output costs points."""
    from tqdm import tqdm

    if stream is True:
        stream = sys.stderr
    quiet = stream is None or bool(os.environ.get("NBGRADER_EXECUTION"))
    return tqdm(total=total, desc=label("data.progress"), unit="img", file=stream,
                disable=quiet, mininterval=0.5, leave=False)


def _write_h5_atomically(path, datasets):
    """Write an HDF5 file beside `path` under a temporary name, then rename it into place.

    An error or Ctrl-C part-way removes the temporary file, and even a hard kill leaves
    only a hidden `.part` file: never a half-written file under the real name.
    """
    import h5py

    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(handle)
    try:
        with h5py.File(temporary, "w") as h5:
            for name, values in datasets.items():
                h5.create_dataset(name, data=values)
        # mkstemp makes the file private (0600); the data is for everyone who may read the
        # folder, such as the grading sandbox's unprivileged user.
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def make_signs_dataset(out_dir, n_train=1080, n_test=120, seed=0, overwrite=False, progress=True,
                       plain=HELD_PLAIN):
    """Generate `train_signs.h5` and `test_signs.h5` in `out_dir` in the original SIGNS layout.

    Classes are balanced and the same seed gives identical arrays. Existing files are
    kept (CourseError `data.exists`) unless `overwrite=True`. `progress` is the stream for
    the progress bar (True: stderr; None: no bar); `plain` is passed on to `generate_signs`.
    Returns the two paths (train, test).
    """
    out_dir = Path(out_dir)
    paths = {split: out_dir / name for split, name in SPLITS.items()}
    if not overwrite:
        for path in paths.values():
            if path.exists():
                raise CourseError("data.exists", path=path)
    out_dir.mkdir(parents=True, exist_ok=True)
    counts = {"train": n_train, "test": n_test}
    classes = np.array(CLASSES, dtype=np.int64)
    with _progress_bar(n_train + n_test, progress) as bar:
        for split, path in paths.items():
            images, labels = generate_signs(counts[split], seed, split, progress=bar.update, plain=plain)
            _write_h5_atomically(path, {
                f"{split}_set_x": images,
                f"{split}_set_y": labels,
                "list_classes": classes,
            })
    return paths["train"], paths["test"]


# ---------------------------------------------------------------- loading

def _ensure_files(folder):
    """Generate the files in `folder` when both are missing; refuse when only one is."""
    paths = [folder / name for name in SPLITS.values()]
    present = [path for path in paths if path.exists()]
    if len(present) == len(paths):
        return
    if present:
        missing = [path.name for path in paths if not path.exists()]
        raise CourseError("data.one_missing", folder=folder, present=present[0].name, missing=missing[0])
    if not _writable(folder):
        raise CourseError("data.cannot_write", folder=folder, files=", ".join(SPLITS.values()),
                          env=DATA_ENV, error="read-only")
    print(text("data.generating", folder=folder), file=sys.stdout)
    try:
        make_signs_dataset(folder, progress=sys.stdout)
    except OSError as error:
        raise CourseError("data.cannot_write", folder=folder, files=", ".join(SPLITS.values()),
                          env=DATA_ENV, error=error.strerror or error) from None


def _writable(folder):
    """Whether `folder` exists and is writable, or could be created."""
    for place in (folder, *folder.parents):
        if place.exists():
            return place.is_dir() and os.access(place, os.W_OK)
    return False


def _read_split(path, split):
    """Images, labels and list_classes (or None) from one file, each checked."""
    import h5py

    x_name, y_name = f"{split}_set_x", f"{split}_set_y"
    try:
        with h5py.File(path, "r") as h5:
            for name in (x_name, y_name):
                if name not in h5 or not isinstance(h5[name], h5py.Dataset):
                    raise CourseError("data.missing_dataset", path=path, name=name, x_name=x_name,
                                      y_name=y_name, found=", ".join(sorted(h5.keys())) or "-")
            images, labels = h5[x_name], h5[y_name]
            if images.dtype != np.uint8 or images.ndim != 4 or images.shape[1:] != IMAGE_SHAPE:
                raise CourseError("data.bad_images", path=path, name=x_name,
                                  shape=tuple(images.shape), dtype=images.dtype)
            if labels.dtype.kind not in "iu" or len(labels.shape) != 1:
                raise CourseError("data.bad_labels", path=path, name=y_name,
                                  shape=tuple(labels.shape), dtype=labels.dtype)
            if labels.shape[0] != images.shape[0]:
                raise CourseError("data.count_mismatch", path=path, x_name=x_name, y_name=y_name,
                                  x_count=images.shape[0], y_count=labels.shape[0])
            classes = h5["list_classes"][()] if "list_classes" in h5 else None
            return images[()], labels[()].astype(np.int64), classes
    except CourseError:
        raise
    except Exception as error:  # h5py reports damage as OSError, KeyError or ValueError
        raise CourseError("data.unreadable", path=path, error=f"{type(error).__name__}: {error}") from None


def load_signs(data_dir=None):
    """Load SIGNS as the original course did.

    Returns `X_train_orig` uint8 (m_train, 64, 64, 3), `Y_train_orig` int64 (1, m_train),
    `X_test_orig`, `Y_test_orig` (1, m_test) and `classes` (int64, [0 1 2 3 4 5]).
    The folder is `data_dir`, else `RESNET_COURSE_DATA`, else the per-user cache; when
    both files are missing there they are generated first.
    """
    folder = Path(data_dir).expanduser() if data_dir is not None else default_data_dir()
    _ensure_files(folder)
    X_train, Y_train, train_classes = _read_split(folder / SPLITS["train"], "train")
    X_test, Y_test, test_classes = _read_split(folder / SPLITS["test"], "test")
    classes = train_classes if train_classes is not None else test_classes
    if classes is None:
        raise CourseError("data.no_classes", train=folder / SPLITS["train"], test=folder / SPLITS["test"])
    classes = np.asarray(classes).astype(np.int64).reshape(-1)
    for split, labels in (("train", Y_train), ("test", Y_test)):
        outside = labels[(labels < 0) | (labels >= len(classes))]
        if outside.size:
            raise CourseError("data.label_out_of_range", path=folder / SPLITS[split],
                              name=f"{split}_set_y", bad=int(outside[0]), last=len(classes) - 1)
    return X_train, Y_train.reshape(1, -1), X_test, Y_test.reshape(1, -1), classes


def convert_to_one_hot(Y, C):
    """One-hot encode labels `Y` (any shape holding m integers) into shape (C, m).

    This is the original course's layout, one column per example; transpose it for Keras,
    which wants one row per example: `convert_to_one_hot(Y_train_orig, 6).T` is (m, 6).
    """
    return np.eye(C)[np.asarray(Y).reshape(-1)].T


# ---------------------------------------------------------------- command line

def _run_command(args):
    out_dir = Path(args.out) if args.out else default_data_dir()
    paths = make_signs_dataset(out_dir, n_train=args.n_train, n_test=args.n_test, seed=args.seed,
                               overwrite=args.force, progress=sys.stderr)
    for path, count in zip(paths, (args.n_train, args.n_test)):
        print(text("data.written", path=path, count=count))
    if args.preview:
        X_train, Y_train, *_ = load_signs(out_dir)
        per_class = 6
        _save_preview(plot_signs_grid(X_train, Y_train, n_per_class=per_class), args.preview)
        print(text("data.written", path=args.preview, count=per_class * len(CLASSES)))
    return 0


def _save_preview(figure, path):
    """Save the grid as a 256-colour PNG: a third of the size, no visible difference."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    buffer.seek(0)
    Image.open(buffer).convert("RGB").quantize(256).save(path, optimize=True)


def register_command(subparsers):
    """Add `resnet-course data [--out DIR] [--seed N] ...` to the command line."""
    parser = subparsers.add_parser("data", help=label("data.cli_help"), description=label("data.cli_help"))
    parser.add_argument("--out", metavar="DIR", help=label("data.cli_out"))
    parser.add_argument("--seed", type=int, default=0, help=label("data.cli_seed"))
    parser.add_argument("--n-train", type=int, default=1080, help=label("data.cli_n_train"))
    parser.add_argument("--n-test", type=int, default=120, help=label("data.cli_n_test"))
    parser.add_argument("--force", action="store_true", help=label("data.cli_force"))
    parser.add_argument("--preview", metavar="PNG", help=label("data.cli_preview"))
    parser.set_defaults(func=_run_command)
    return parser
