"""Where a trained model looks on the real photos: slide a patch over each photo, watch the answer.

    .venv/bin/python benchmarks/signs_transfer.py --seeds 0 1 --save /tmp/models   # models to look at
    .venv/bin/python benchmarks/signs_occlusion.py /tmp/models/*.keras [--classes 2 4] [--figure /tmp/where.png]

For every photo (benchmarks/signs_photos.py says where they are found) and every position of
a square patch (12 px, every 4 px) painted in the colour of that photo's own border (the
wall, as far as the photo shows it), the model reads the covered photo once. Printed per
model and photo: the answer as taken, and the region whose covering lowers the probability
of that answer most, with the answer the model then gives. A model that reads four from the
folded thumb loses "four" when the thumb is covered; one that reads the raised fingers as
five keeps "five" until they are covered (SIGNS-TRANSFER.md, session 27). `--figure` saves,
outside the project, each photo beside the map of how much covering each place lowers its
answer's probability (red: much).

The photos are only read: the patch colour is taken from each photo while it is measured
and nothing is kept. Reads as taken, not mirrored: a map of the mirrored reading is the
same question asked of another photo.
"""

import argparse
import sys
from pathlib import Path

import numpy as np

import resnet_course.utils  # noqa: F401  (quiet TensorFlow before it is imported)

from signs_photos import describe_photos, find_photos, load_photos, probabilities

PATCH, STRIDE = 12, 4
REGIONS = ("top", "middle", "bottom")


def occluded(photo, patch=PATCH, stride=STRIDE):
    """The photo (64, 64, 3, in [0, 1]) covered at every position; returns the covered copies
    and each patch's top-left corner."""
    border = np.concatenate([photo[0], photo[-1], photo[:, 0], photo[:, -1]])
    wall = np.median(border, axis=0)
    corners = [(r, c) for r in range(0, 64 - patch + 1, stride) for c in range(0, 64 - patch + 1, stride)]
    copies = np.repeat(photo[None], len(corners), axis=0)
    for copy, (r, c) in zip(copies, corners):
        copy[r:r + patch, c:c + patch] = wall
    return copies, corners


def where(row, col, patch=PATCH):
    """A patch's centre named coarsely (top/middle/bottom, left/centre/right)."""
    third = lambda v: min(2, int((v + patch / 2) // (64 / 3)))  # noqa: E731
    return f"{REGIONS[third(row)]}-{('left', 'centre', 'right')[third(col)]}"


def look(model, photo):
    """(answer as taken, its probability, drop map (rows, cols), answers under each patch, corners)."""
    copies, corners = occluded(photo)
    read = probabilities(model, np.concatenate([photo[None], copies]))
    answer = int(read[0].argmax())
    drops = read[0, answer] - read[1:, answer]
    side = int(np.sqrt(len(corners)))
    return answer, float(read[0, answer]), drops.reshape(side, side), read[1:].argmax(axis=1), corners


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="saved models (.keras), e.g. from signs_transfer.py --save")
    parser.add_argument("--photos", help="real photos in the SIGNS test layout")
    parser.add_argument("--classes", type=int, nargs="*", help="only photos of these classes (default: all)")
    parser.add_argument("--figure", help="save the photos and their maps there (PNG, outside the project)")
    args = parser.parse_args(argv)
    path = find_photos(args.photos)
    describe_photos(path)
    if path is None:
        return 1
    X, labels = load_photos(path)
    X = X.astype("float32")  # load_photos gives [0, 1], as the model was trained on
    chosen = [i for i in range(len(X)) if args.classes is None or labels[i] in args.classes]

    import keras

    maps = []
    for model_path in args.models:
        model = keras.models.load_model(model_path, compile=False)
        print(f"\n=== {Path(model_path).name}: photo, true, read as taken (p), "
              f"covering that takes most from it -> read then")
        for i in chosen:
            answer, p, drops, answers, corners = look(model, X[i])
            worst = int(drops.argmax())
            r, c = corners[worst]
            mark = " " if answer == labels[i] else "x"
            print(f"  {mark} photo {i:2d}: true {labels[i]}, read {answer} ({p:.2f}); "
                  f"covering {where(r, c):13s} -> {answers[worst]} ({p - drops.flat[worst]:.2f} for {answer})")
            maps.append((X[i], drops, f"{Path(model_path).stem} #{i}: {labels[i]}->{answer}"))
    if args.figure:
        save_figure(maps, args.figure)
        print(f"\nfigure: {args.figure}")
    return 0


def save_figure(maps, file_name):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    columns = 6
    rows = -(-len(maps) // columns)
    figure, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.4 * rows), squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    for ax, (photo, drops, title) in zip(axes.flat, maps):
        ax.imshow(photo)
        # each map cell is one patch position, drawn over the patch's centre
        low, high = PATCH / 2 - STRIDE / 2, 64 - PATCH / 2 + STRIDE / 2
        ax.imshow(np.clip(drops, 0, 1), cmap="Reds", alpha=0.5, vmin=0, vmax=1, extent=(low, high, high, low))
        ax.set_title(title, fontsize=7)
    figure.tight_layout()
    figure.savefig(file_name, dpi=90)


if __name__ == "__main__":
    sys.exit(main())
