"""Do drawn hands teach real hands? Train on the generated set, measure on real photos.

    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py                   # ResNet50, as the notebook
    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py --model cnn --seeds 0 1 2 --ablate
    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py --model bncnn --vary blur noise
    git show main:utils/signs.py > /tmp/signs_v2.py      # an older renderer, measured beside
    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py --also /tmp/signs_v2.py
    mkdir /tmp/v3 && git archive 855e38c utils | tar -x -C /tmp/v3   # with its own hand_pose
    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py --also /tmp/v3/utils --seeds 0 1
    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py --seeds 0 1 --probe   # what the model is sensitive to
    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py --seeds 0 1 --save /tmp/models   # keep the models
    nice -n 10 .venv/bin/python benchmarks/signs_transfer.py --seeds 0 1 --training notebook unaugmented smooth

For each configuration of the renderer it draws the 1080 + 120 images (data seed 0 unless
--data-seed), trains a model only on the 1080, and prints, in the same run, the accuracy on
the generated test set and on the real photos (benchmarks/signs_photos.py says where they
are found), with per-class recall and the confusion matrix.

`--model resnet` is the notebook's own training: the course's ResNet50, notebook 2's Adam
(which keeps an exponential moving average of the weights and ends on it), batch 32,
10 epochs, then notebook 2's BatchNorm recalibration (section 5.3); 4-8 minutes on two
cores. `--model cnn` is the cheap proxy for ablations: the small CNN of
benchmarks/data_difficulty.py, 30 epochs, about a minute.

The course's renderer holds `signs.HELD_PLAIN` plain; `--vary NAME ...` lets those vary
again, `--plain NAME ...` switches more nuisances off (each one then takes its one plain
value; the names are `resnet_course.utils.signs.NUISANCES`). `--ablate` runs that renderer
and then each nuisance it varies switched off alone, and ends with a table: the change in
real-photo accuracy when a nuisance is taken away is what that nuisance does for transfer
(`--vary background blur noise jpeg --ablate` ablates the renderer with everything varied). `--also FILE ...`
measures, first and in the same run with the same seeds, the renderer of each FILE (a
`signs.py` of another version, whose `render_signs_image(n, rng)` draws the pictures):
the fair way to say whether a new renderer teaches real hands better than an old one.

The photos are read twice: as taken, and as notebook 2 reads a student's own photo (the
photo and its mirror image, the two readings' probabilities averaged:
`plotting.read_both_ways`). `--probe` reads them again, a little darker, brighter, softer,
sharper and mirrored, then with the wall evened out and as flat silhouettes: whether a
model fails on how the photos look or on the shapes of the hands in them.

`--training NAME ...` changes the notebook's training instead of the data (`TRAININGS`: the
notebook's own, every block starting as the identity, behind its augmentation layers, which
since session 30 change exposure and contrast too; `no-light`, without those two, as it
trained after session 29's port; `plain-start`, as it trained in session 28; `unaugmented`;
more augmentation (shear, turned twice as far); half the learning rate; its augmentation fed
through `tf.data`; with a decaying learning rate; random erasing; label smoothing), each
trained on the course renderer's data with the same seeds (SIGNS-TRANSFER.md, sessions 28
to 30).

The time to draw the 1200 images (CPU and wall) is printed for every configuration; the
course's budget is well under 15 s on a student's machine (CPU time is the steadier figure
on a shared one).
"""

import argparse
import contextlib
import importlib.util
import sys
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageFilter, ImageOps

import resnet_course.utils  # noqa: F401  (quiet TensorFlow before it is imported)
from resnet_course.utils import data as signs_data
from resnet_course.utils import signs
from resnet_course.utils.data import make_signs_dataset

from data_difficulty import (course_resnet50, notebook_augmentation, notebook_optimizer, notebook_optimizer_decaying,
                             notebook_recalibration, notebook_start, notebook_trainer, prepare, small_cnn)
from signs_photos import describe_photos, find_photos, load_photos, predict, probabilities, report, report_photos


class Training(NamedTuple):
    """One trained model's figures: the final model (generated test, photos as taken and
    both ways, with recall by class) and the mean of its last epochs (`LateEpochs`)."""

    generated: float
    real: float
    recall: np.ndarray
    late_generated: float
    late_real: float
    both: float
    both_recall: np.ndarray


def _tag(text):
    """`text` as a name for a file or module: letters and digits, the rest underscores."""
    return "".join(c if c.isalnum() else "_" for c in str(text))


def load_renderer(path):
    """`render_signs_image` from another version of the renderer.

    `path` is either one `signs.py`, imported beside the course's own modules (its relative
    imports, such as `.hand_pose`, resolve in the installed package), or a whole `utils`
    folder of another version (`git archive REV utils | tar -x -C /tmp/REV`), imported as
    a package of its own so that its own hand_pose and hand_raster draw its hands.
    """
    path = Path(path)
    tag = _tag(path)
    if path.is_dir():
        package = "resnet_course._renderer_" + tag
        spec = importlib.util.spec_from_file_location(package, path / "__init__.py",
                                                      submodule_search_locations=[str(path)])
        sys.modules[package] = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(sys.modules[package])
        return importlib.import_module(package + ".signs").render_signs_image
    name = "resnet_course.utils._renderer_" + tag
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module.render_signs_image


@contextlib.contextmanager
def drawn_by(renderer):
    """Let `make_signs_dataset` draw with `renderer` (None: the course's own) for a while."""
    own = signs_data.render_signs_image
    if renderer is not None:
        signs_data.render_signs_image = lambda n, rng, plain=None: renderer(n, rng)
    try:
        yield
    finally:
        signs_data.render_signs_image = own


def generate(folder, data_seed, plain, renderer=None):
    """Draw the 1080 + 120 images; returns (CPU seconds, wall seconds)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    with drawn_by(renderer):
        make_signs_dataset(folder, seed=data_seed, progress=None, plain=plain)
    return time.process_time() - start_cpu, time.perf_counter() - start


def batchnorm_cnn():
    """A small all-convolutional network with batch normalization and global pooling, the
    two parts of ResNet50 that most decide what it learns from little data; ~0.1 M weights,
    a fifth of ResNet50's time per epoch."""
    import keras
    from keras import layers

    inputs = keras.Input((64, 64, 3))
    x = inputs
    for filters in (16, 32, 64, 96):
        for _ in range(2):
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
            x = layers.BatchNormalization()(x)
            x = layers.Activation("relu")(x)
        x = layers.MaxPooling2D()(x)
    x = layers.GlobalAveragePooling2D()(x)
    outputs = layers.Dense(6, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="batchnorm_cnn")


class LateEpochs:
    """Accuracy on the generated test set and the photos after each of the last epochs.

    The notebook's training is not smooth (the training accuracy can drop by half in one
    epoch and recover in the next), so one final figure says as much about luck as about
    the data. After each of the last `count` epochs this settles BatchNorm as the notebook
    does and measures; the mean over them is the steadier figure for comparing renderers.
    Settling only overwrites the moving averages, which training does not read, so the
    final model is the one the notebook's own training would give. These rows measure the
    weights as they were at the end of each epoch; the final figures, the weights' average
    that the notebook's optimizer leaves in their place (session 26 of SIGNS-TRANSFER.md).
    `model` is the network itself, not a wrapper that trains it behind augmentation layers
    (which, called in training mode, would augment the images that settle BatchNorm).
    """

    def __init__(self, data, photos, epochs, model, count=3):
        import keras

        outer, self.rows = self, []

        class Callback(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch >= epochs - count:
                    outer.rows.append(outer.measure(model, data, photos))

        self.callback = Callback()

    @staticmethod
    def measure(model, data, photos):
        notebook_recalibration()(model, data[0])
        generated = float(np.mean(predict(model, data[2]) == data[3].argmax(axis=1)))
        real = float(np.mean(predict(model, photos[0]) == photos[1])) if photos is not None else float("nan")
        return generated, real


def _erasing():
    """Half the images get one rectangle of noise over 2-15% of their width and height each."""
    import keras

    return [keras.layers.RandomErasing(factor=(0.5, 0.5), scale=(0.02, 0.15), value_range=(0, 1))]


# The notebook's training and changes to it, each trained on the course renderer's data with
# the same seeds (`--training`; SIGNS-TRANSFER.md, sessions 28 to 30). "notebook" starts
# every residual block as the identity (the notebook's `start_blocks_as_identity`) and trains
# the model behind the notebook's own augmentation layers (section 5.2; recalibration and
# prediction use the model alone); every other arm changes that in one place, so that since
# session 29 they all start as the identity but "plain-start", which is the notebook's
# training of session 28 (and, since session 30, moves exposure and contrast as the notebook
# does). "no-light" is the notebook's training without its exposure and contrast layers.
# "unaugmented" trains on the images as they are (session 27's training, with the identity
# start); "batches" maps the notebook's augmentation over a tf.data pipeline that shuffles
# every epoch instead; "decay" lets the learning rate fall from the notebook's to 0 by the
# end (cosine), against late falls in accuracy; "erase" and "smooth" change the unaugmented
# training. "shear" and "rotate" change the notebook's augmentation, "slower" halves its
# learning rate. "light" was session 29's name for the exposure and contrast layers, which
# the notebook has had since (session 30).
def _with_notebook_augmentation(extra):
    """The notebook's augmentation layers followed by those `extra()` makes."""
    return lambda: notebook_augmentation()() + extra()


def _notebook_augmentation_without(*kinds):
    """The notebook's augmentation layers but those of the Keras layer classes named in `kinds`."""
    import keras

    classes = tuple(getattr(keras.layers, kind) for kind in kinds)
    return [layer for layer in notebook_augmentation()() if not isinstance(layer, classes)]


def _without_light():
    """The notebook's augmentation without its exposure and contrast layers."""
    return _notebook_augmentation_without("RandomBrightness", "RandomContrast")


def _shear():
    import keras

    return [keras.layers.RandomShear(0.15, 0.15, fill_mode="nearest")]


def _turned_more():
    """The notebook's augmentation, turned up to 36 degrees instead of 18 (the turn moves last)."""
    import keras

    return _notebook_augmentation_without("RandomRotation") + [keras.layers.RandomRotation(0.1, fill_mode="nearest")]


TRAININGS = {
    "notebook": {},
    "no-light": {"augment": _without_light},
    "shear": {"augment": _with_notebook_augmentation(_shear)},
    "rotate": {"augment": _turned_more},
    "slower": {"optimizer": {"learning_rate": 0.0005}},
    "plain-start": {"plain_start": True},
    "unaugmented": {"augment": lambda: []},
    "batches": {"feed": "batches"},
    "decay": {"decay": True},
    "erase": {"augment": _erasing},
    "smooth": {"augment": lambda: [], "label_smoothing": 0.1},
}


def _augmented_batches(X, Y, layers, batch_size=32):
    import keras
    import tensorflow as tf

    augment = keras.Sequential(layers)
    return (tf.data.Dataset.from_tensor_slices((X, Y)).shuffle(len(X), seed=0).batch(batch_size)
            .map(lambda x, y: (augment(x, training=True), y)))


def fit(model_name, data, seed, epochs, photos, training="notebook"):
    """Train as the notebook does (ResNet50) or a proxy; returns the model and its late epochs.

    `training` names the notebook's training or a change to it (`TRAININGS`)."""
    import keras

    X_train, Y_train, _, _ = data
    keras.utils.set_random_seed(seed)
    if model_name == "resnet":
        model = course_resnet50(None)(input_shape=(64, 64, 3), classes=6)
    elif model_name == "bncnn":
        model = batchnorm_cnn()
    else:
        model = small_cnn()
    # The ResNet50 trains as the notebook does, behind its augmentation layers, with its own
    # optimizer (Adam keeping an average of the weights, put in their place when `fit` ends);
    # the proxies with plain Adam on the images as they are.
    change = TRAININGS[training]
    if model_name == "resnet" and not change.get("plain_start"):
        notebook_start()(model)  # every block starts as the identity (zero-gamma), as the notebook's does
    if model_name != "resnet":
        optimizer, change = "adam", {"augment": lambda: []}
    elif change.get("decay"):
        optimizer = notebook_optimizer_decaying(epochs, len(X_train))
    else:
        optimizer = notebook_optimizer(**change.get("optimizer", {}))
    batches = change.get("feed") == "batches"  # augmented in the pipeline, not in front of the model
    layers = [] if batches else change["augment"]() if "augment" in change else None  # None: the notebook's
    trained = notebook_trainer(model, optimizer, layers)
    fed = {"x": X_train, "y": Y_train, "batch_size": 32}
    if batches:
        fed = {"x": _augmented_batches(X_train, Y_train, notebook_augmentation()()), "shuffle": False}
    if "label_smoothing" in change:
        trained.compile(optimizer=optimizer, metrics=["accuracy"],
                        loss=keras.losses.CategoricalCrossentropy(label_smoothing=change["label_smoothing"]))
    late = LateEpochs(data, photos, epochs, model)
    history = trained.fit(**fed, epochs=epochs, verbose=0, callbacks=[late.callback]).history
    print("    training accuracy by epoch: " + " ".join(f"{a:.2f}" for a in history["accuracy"]))
    print("    last epochs, settled (generated, real): "
          + "  ".join(f"{g:.2f} {r:.2f}" for g, r in late.rows))
    notebook_recalibration()(model, X_train)
    return model, np.mean(late.rows, axis=0)


def measure(label_, plain, args, photos, renderer=None, probed=None, training="notebook"):
    """Train `len(args.seeds)` models on one configuration; print and return their figures."""
    with tempfile.TemporaryDirectory() as folder:
        cpu, wall = generate(folder, args.data_seed, plain, renderer)
        data = prepare(folder)
    print(f"\n=== {label_}: 1200 images drawn in {cpu:.2f} s CPU, {wall:.2f} s wall", flush=True)
    rows = []
    for seed in args.seeds:
        start = time.perf_counter()
        model, (late_generated, late_real) = fit(args.model, data, seed, args.epochs, photos, training)
        print(f"--- training seed {seed}: {time.perf_counter() - start:.0f} s", flush=True)
        if args.save:
            # Kept for looking at later (where the model looks, how it reads other photos).
            saved = Path(args.save) / f"{_tag(label_)}-seed{seed}.keras"
            saved.parent.mkdir(parents=True, exist_ok=True)
            model.save(saved)
            print(f"    model saved: {saved}")
        generated, _, _ = report("generated test set", data[3].argmax(axis=1), predict(model, data[2]))
        (real, recall), (both, both_recall) = ((float("nan"), np.full(6, np.nan)),) * 2
        if photos is not None:
            (real, recall), (both, both_recall) = report_photos("real photos", model, photos)
            if probed is not None:
                probe(model, probed, photos[1])
        rows.append(Training(generated, real, recall, late_generated, late_real, both, both_recall))
        sys.stdout.flush()
    return rows


# What a phone or an editor does to a photo without changing the hand in it.
PROBES = {
    "exposure x0.9": lambda image: image.point(lambda v: v * 0.9),
    "exposure x1.1": lambda image: image.point(lambda v: min(255, v * 1.1)),
    "blur 1 px": lambda image: image.filter(ImageFilter.GaussianBlur(1)),
    "sharpened": lambda image: image.filter(ImageFilter.UnsharpMask(2, 150, 0)),
    "mirrored": ImageOps.mirror,
}


def silhouettes(X):
    """The photos with the wall evened out, and as flat silhouettes of the hand on that wall.

    Skin is much redder than it is blue; a grey or white wall and the hand's shadow on it
    are not. A fixed threshold on red minus blue finds the hand well enough to ask whether
    the model fails on the hand's shape or on everything around and on it.
    """
    hand = (X[..., 0] - X[..., 2] > 0.12).astype(np.float64)[..., None]
    wall = np.array(signs.PLAIN_WALL)  # the wall the course's images are drawn on
    return X * hand + wall * (1 - hand), np.array([0.55, 0.38, 0.3]) * hand + wall * (1 - hand)


def probed_photos(X):
    """Each photo changed as PROBES says, then with the wall evened out and as a flat
    silhouette (`silhouettes`): {name: images}, made once for every model of a run."""
    images = (X * 255).round().astype(np.uint8)
    changed = {name: np.stack([np.asarray(change(Image.fromarray(image))) for image in images]) / 255.0
               for name, change in PROBES.items()}
    changed["wall evened out"], changed["flat silhouette"] = silhouettes(X)
    changed["as taken"] = X
    return changed


def probe(model, probed, labels):
    """How steady the model's reading of the photos is, on `probed_photos`.

    A model that has learned the hand reads a photo a little darker, softer or mirrored
    the same way; one that has learned the drawing's look loses many of them. If it reads
    the flat silhouettes no better than the photos, the hands' shapes and poses are what
    it has not learned, not their light or skin.
    """
    read = {name: probabilities(model, X) for name, X in probed.items()}
    for name, p in read.items():
        accuracy = float(np.mean(p.argmax(axis=1) == labels))
        print(f"    real photos, {name:15s} accuracy {accuracy:.3f}")


def summary(results, base_index=0):
    """One line per configuration (means over its trainings); the change in the last epochs'
    real-photo accuracy is against `base_index`. "both ways" is the photos read as notebook
    2 reads a student's photo (`report_photos`), with its recall by class."""
    print("\nconfiguration             final: generated  real  lowest | both ways  lowest"
          " | last 3 epochs: generated  real")

    def mean(rows, field, axis=None):
        return np.mean([getattr(row, field) for row in rows], axis=axis)

    base_label, base_rows = results[base_index]
    base = mean(base_rows, "late_real")
    for label_, rows in results:
        lowest = np.mean([row.recall.min() for row in rows])
        both_lowest = np.mean([row.both_recall.min() for row in rows])
        change = "" if label_ == base_label else f" ({mean(rows, 'late_real') - base:+.3f})"
        print(f"{label_:26s} {mean(rows, 'generated'):16.3f} {mean(rows, 'real'):6.3f} {lowest:7.2f} | "
              f"{mean(rows, 'both'):9.3f} {both_lowest:7.2f} | "
              f"{mean(rows, 'late_generated'):19.3f} {mean(rows, 'late_real'):6.3f}{change}")
        recall = mean(rows, "both_recall", axis=0)
        print(f"{'':26s} both ways, mean recall by class: " + " ".join(f"{c}:{r:.2f}" for c, r in enumerate(recall)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=["resnet", "bncnn", "cnn"], default="resnet")
    parser.add_argument("--epochs", type=int, help="default: 10 for resnet, 30 for cnn")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0], help="training seeds")
    parser.add_argument("--data-seed", type=int, default=0)
    parser.add_argument("--plain", nargs="*", default=[], choices=signs.NUISANCES, metavar="NAME",
                        help=f"nuisances to switch off: {', '.join(signs.NUISANCES)}")
    parser.add_argument("--vary", nargs="*", default=[], choices=signs.HELD_PLAIN, metavar="NAME",
                        help=f"held-plain nuisances to vary again: {', '.join(signs.HELD_PLAIN)}")
    parser.add_argument("--ablate", action="store_true",
                        help="the course renderer, then each nuisance it varies switched off alone")
    parser.add_argument("--only", nargs="*", choices=signs.NUISANCES, metavar="NAME",
                        help="with --ablate: only these nuisances")
    parser.add_argument("--photos", help="real photos in the SIGNS test layout")
    parser.add_argument("--probe", action="store_true",
                        help="also read the photos a little darker, brighter, softer, sharper, mirrored, "
                             "with the wall evened out and as flat silhouettes")
    parser.add_argument("--also", nargs="*", default=[], metavar="FILE",
                        help="other versions' signs.py or utils folder, measured first in the same run")
    parser.add_argument("--save", metavar="FOLDER",
                        help="save each trained model there (CONFIGURATION-seedN.keras)")
    parser.add_argument("--training", nargs="+", default=["notebook"], choices=TRAININGS, metavar="NAME",
                        help="the notebook's training and/or changes to it, each on the course renderer: "
                             + ", ".join(TRAININGS))
    parser.add_argument("--only-also", action="store_true",
                        help="measure only the --also renderers, not the course's own")
    args = parser.parse_args(argv)
    args.epochs = args.epochs or {"resnet": 10, "bncnn": 15, "cnn": 30}[args.model]

    path = find_photos(args.photos)
    describe_photos(path)
    photos = load_photos(path) if path is not None else None
    print(f"model {args.model}, {args.epochs} epochs, training seeds {args.seeds}, data seed {args.data_seed}")

    base_plain = tuple(name for name in signs.HELD_PLAIN if name not in args.vary)
    base_plain += tuple(name for name in args.plain if name not in base_plain)
    extra = [name for name in base_plain if name not in signs.HELD_PLAIN]
    label_ = "course renderer" + "".join(f" +{name}" for name in args.vary)
    configurations = [(label_ + "".join(f" -{name}" for name in extra), base_plain)]
    if args.ablate:
        for name in args.only or signs.NUISANCES:
            if name not in base_plain:
                configurations.append((f"without {name}", base_plain + (name,)))
    probed = probed_photos(photos[0]) if args.probe and photos is not None else None
    results = [(f"renderer {path}", measure(f"renderer {path}", (), args, photos, load_renderer(path), probed))
               for path in args.also]
    if not args.only_also:
        results += [(label_, measure(label_, plain, args, photos, probed=probed))
                    for label_, plain in configurations if "notebook" in args.training]
        results += [(f"training {name}", measure(f"training {name}", base_plain, args, photos, probed=probed,
                                                 training=name))
                    for name in args.training if name != "notebook"]
    if photos is not None:
        summary(results, base_index=0 if args.only_also else len(args.also))
    return 0


if __name__ == "__main__":
    sys.exit(main())
