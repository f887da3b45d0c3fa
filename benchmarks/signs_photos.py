"""Real photos of hand signs, for measuring how well the drawn set teaches real hands.

The course may not ship real photos. A folder `shared/data/` beside (or above) the checkout
may hold `signs_photos_dev.h5`: real photos in the SIGNS test layout (`test_set_x` uint8
(m, 64, 64, 3), `test_set_y`, `list_classes`). The benchmarks only *measure* on it: nothing
read from it is fitted, stored or copied anywhere. `--photos FILE` names another file.
"""

from pathlib import Path

import numpy as np

PHOTOS_NAME = "signs_photos_dev.h5"
CHECKOUT = Path(__file__).resolve().parents[1]


def find_photos(explicit=None):
    """The photo file: `explicit` when given, else the first `shared/data/` above the checkout."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise SystemExit(f"no photo file at {path}")
        return path
    for folder in CHECKOUT.parents:
        candidate = folder / "shared" / "data" / PHOTOS_NAME
        if candidate.is_file():
            return candidate
    return None


def load_photos(path):
    """(X float in [0, 1], labels int) from a file in the SIGNS test layout."""
    import h5py

    with h5py.File(path, "r") as h5:
        images, labels = h5["test_set_x"][()], h5["test_set_y"][()].astype(np.int64).reshape(-1)
    return images / 255.0, labels


def describe_photos(path):
    if path is None:
        print(f"real photos: none found ({PHOTOS_NAME} is not in a shared/data/ folder above "
              f"{CHECKOUT}); only the generated test set is measured")
    else:
        print(f"real photos: {path}")


def confusion(actual, predicted, n_classes=6):
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (actual, predicted), 1)
    return matrix


def report(name, actual, predicted, n_classes=6):
    """Print accuracy, per-class recall and the confusion matrix (rows: true, columns: read as)."""
    matrix = confusion(actual, predicted, n_classes)
    recall = matrix.diagonal() / np.maximum(matrix.sum(axis=1), 1)
    accuracy = matrix.trace() / max(matrix.sum(), 1)
    print(f"{name}: accuracy {accuracy:.3f} ({matrix.trace()}/{matrix.sum()}), "
          f"lowest class recall {recall.min():.2f}")
    print("    recall   " + " ".join(f"{c}:{r:4.2f}" for c, r in enumerate(recall)))
    print("    confusion (rows true 0-5, columns predicted 0-5)")
    for true_class, row in enumerate(matrix):
        print(f"      {true_class} | " + " ".join(f"{v:3d}" for v in row))
    return accuracy, recall, matrix


def probabilities(model, X):
    """The model's class probabilities (len(X), classes), all of X in one batch."""
    return np.asarray(model.predict(X, batch_size=len(X), verbose=0))


def predict(model, X):
    return probabilities(model, X).argmax(axis=1)


def report_photos(name, model, photos):
    """The photos read as taken, and as notebook 2 reads a student's own photo (the picture
    and its mirror image, probabilities averaged: `plotting.read_both_ways`).
    Returns (accuracy, recall) of each reading."""
    from resnet_course.utils.plotting import read_both_ways

    X, labels = photos
    taken, taken_recall, _ = report(f"{name}, as taken", labels, predict(model, X))
    both, both_recall, _ = report(f"{name}, as the notebook reads a photo (as taken and mirrored)",
                                  labels, read_both_ways(model, X).argmax(axis=1))
    return (taken, taken_recall), (both, both_recall)
