"""How fast the SIGNS stand-in is drawn, how hard it is to learn, and how well it teaches real hands.

    nice -n 10 .venv/bin/python benchmarks/data_difficulty.py [--epochs 10] [--skip-resnet] [--skip-cnn]

Prints, for the generated data set (seed 0 unless --seed):
  1. the time to draw all 1200 images and images per second (the target: at most 15 s on
     a 2-core machine);
  2. softmax regression on raw pixels: must stay below 70% test accuracy, or the pictures
     could be told apart without seeing a hand;
  3. a small CNN: must do better than (2);
  4. the course's ResNet50 (the solution in course/notebooks/02_residual_networks.md),
     trained as the notebook does (every block starting as the identity, behind its
     augmentation layers, with its Adam, which averages the weights, batch 32, then its
     own BatchNorm recalibration, sections 5.2-5.3): must reach 90% test accuracy within
     10 epochs. Both accuracies are printed, before and after the recalibration.
     `--resnet-source FILE` takes `ResNet50` from a Python file instead;
  5. for the small CNN and the ResNet50, in the same run, the accuracy on real photos of
     hands (benchmarks/signs_photos.py: a `shared/data/signs_photos_dev.h5` above the
     checkout, or `--photos FILE`; the run says when there are none), read as taken and
     as notebook 2 reads a student's photo (with its mirror image), with per-class
     recall and the confusion matrix, and the generated test set's beside it. Reported,
     not a target the exit status holds (the goal is 80%, no class below 60%).

Why the recalibration: with batch size 32 the ResNet50's test accuracy in inference mode
lags far behind its training accuracy after 10 epochs (BatchNormalization's moving
averages, momentum 0.99, have only 340 steps to settle; measured 0.31-0.51). The notebook
settles them with one pass in training mode (measured through the notebook: 66.7% before,
95.0% after). `--batch-size 16` (680 steps) reached 93% without it.

Exit status 1 when a target is missed. With `--data-dir` it measures files already on disk
(e.g. the real SIGNS files) instead of a freshly generated set.
"""

import argparse
import runpy
import sys
import tempfile
import time

import resnet_course.utils  # noqa: F401  (quiet TensorFlow before it is imported)
from resnet_course.utils.data import convert_to_one_hot, load_signs, make_signs_dataset

from signs_photos import describe_photos, find_photos, load_photos, predict, report, report_photos

SOFTMAX_CEILING = 0.70
RESNET_FLOOR = 0.90
GENERATION_BUDGET_S = 15.0


def time_generation(folder, seed):
    """Wall and CPU time for the 1200 images; the budget is held to CPU time, since other
    work on a shared machine stretches the wall time."""
    start, start_cpu = time.perf_counter(), time.process_time()
    make_signs_dataset(folder, seed=seed, progress=None)
    seconds, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    print(f"generation: 1200 images in {seconds:.2f} s wall = {1200 / seconds:.0f} images/s; "
          f"{cpu:.2f} s CPU = {1200 / cpu:.0f} images/s (budget {GENERATION_BUDGET_S:.0f} s)")
    return cpu


def prepare(folder):
    X_train_orig, Y_train_orig, X_test_orig, Y_test_orig, classes = load_signs(folder)
    X_train, X_test = X_train_orig / 255.0, X_test_orig / 255.0
    Y_train = convert_to_one_hot(Y_train_orig, len(classes)).T
    Y_test = convert_to_one_hot(Y_test_orig, len(classes)).T
    return X_train, Y_train, X_test, Y_test


class TestAccuracy:
    """Test accuracy after every epoch (BatchNormalization in inference mode, as predict uses)."""

    def __init__(self, X_test, Y_test):
        import keras

        outer = self
        self.history = []

        class Callback(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                _, accuracy = self.model.evaluate(X_test, Y_test, verbose=0)
                outer.history.append(accuracy)
                if self.params["epochs"] > 30 and (epoch + 1) % 10:
                    return
                print(f"    epoch {epoch + 1:2d}: train loss {logs['loss']:.3f}, "
                      f"train acc {logs['accuracy']:.3f}, test acc {accuracy:.3f}", flush=True)

        self.callback = Callback()


def train(name, model, data, epochs, batch_size=32, schedule="constant", augmented=False):
    """Fit and print the test accuracy after every epoch. `augmented`: behind notebook 2's
    augmentation layers, as the notebook trains its ResNet50; else on the images as they are."""
    import keras

    X_train, Y_train, X_test, Y_test = data
    optimizer = notebook_optimizer_decaying(epochs, len(X_train), batch_size) if schedule == "cosine" \
        else notebook_optimizer()
    trainer = notebook_trainer(model, optimizer, None if augmented else [])
    tracker = TestAccuracy(X_test, Y_test)
    start = time.perf_counter()
    print(f"{name}: {model.count_params():,} parameters, {epochs} epochs", flush=True)
    trainer.fit(X_train, Y_train, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[tracker.callback])
    seconds = time.perf_counter() - start
    final, best = tracker.history[-1], max(tracker.history)
    print(f"{name}: final test accuracy {final:.3f}, best {best:.3f} "
          f"(epoch {tracker.history.index(best) + 1}), {seconds:.0f} s", flush=True)
    return tracker.history


def softmax_regression():
    import keras

    return keras.Sequential([
        keras.Input((64, 64, 3)),
        keras.layers.Flatten(),
        keras.layers.Dense(6, activation="softmax"),
    ], name="softmax_regression")


def small_cnn():
    import keras
    from keras import layers

    return keras.Sequential([
        keras.Input((64, 64, 3)),
        layers.Conv2D(16, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(32, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, padding="same", activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.3),
        layers.Dense(64, activation="relu"),
        layers.Dense(6, activation="softmax"),
    ], name="small_cnn")


def course_resnet50(source_file):
    if source_file:
        return runpy.run_path(source_file)["ResNet50"]
    from resnet_course.autograder.authoring.sources import graded_function_namespace

    return graded_function_namespace("02_residual_networks")["ResNet50"]


def _notebook_cells():
    from resnet_course.autograder.authoring.sources import read_source

    return read_source("02_residual_networks").cells


def _notebook_function(name):
    """A function notebook 2 defines, with the names its import cells make: the benchmark runs
    the notebook's own procedure, not a copy of it."""
    from resnet_course.autograder.authoring.sources import notebook_function

    return notebook_function("02_residual_networks", name)


def notebook_optimizer_arguments():
    """The keyword arguments of notebook 2's optimizer (section 5.2), read from its training cell.

    The cell says `optimizer = keras.optimizers.Adam(...)` with literal keyword arguments
    (Adam keeping an exponential moving average of the weights, which `fit` puts in their
    place at the end).
    """
    import ast

    for cell in _notebook_cells():
        if cell.cell_type != "code" or "optimizer = keras.optimizers.Adam(" not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["optimizer"]
                    and isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "keras.optimizers.Adam"):
                return {k.arg: ast.literal_eval(k.value) for k in node.value.keywords}
    raise LookupError("`optimizer = keras.optimizers.Adam(...)` not found in notebook 2's training cell "
                      "(course/notebooks/02_residual_networks.md)")


def notebook_augmentation():
    """Notebook 2's data augmentation (section 5.2): a function that makes fresh copies of the
    layers its training cell puts in front of the model (`trainer = keras.Sequential([...])`,
    every element but the `keras.Input` and the model itself)."""
    import ast

    import keras

    for cell in _notebook_cells():
        if cell.cell_type != "code" or "trainer = keras.Sequential(" not in cell.source:
            continue
        for node in ast.walk(ast.parse(cell.source)):
            if (isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["trainer"]
                    and isinstance(node.value, ast.Call) and node.value.args
                    and isinstance(node.value.args[0], ast.List)):
                sources = [ast.unparse(element) for element in node.value.args[0].elts
                           if isinstance(element, ast.Call) and ast.unparse(element.func) != "keras.Input"]
                return lambda: [eval(source, {"keras": keras}) for source in sources]
    raise LookupError("`trainer = keras.Sequential([...])` not found in notebook 2's training cell "
                      "(course/notebooks/02_residual_networks.md)")


def notebook_trainer(model, optimizer, augmentation=None):
    """The model compiled as notebook 2 compiles it, and what `fit` is called on: the model
    behind the notebook's augmentation layers (`augmentation`: another list of layers, or [])."""
    import keras

    layers = notebook_augmentation()() if augmentation is None else augmentation
    trainer = keras.Sequential([keras.Input(model.input_shape[1:]), *layers, model]) if layers else model
    trainer.compile(optimizer=optimizer, loss="categorical_crossentropy", metrics=["accuracy"])
    if trainer is not model:  # evaluated later without augmentation, as the notebook does
        model.compile(loss="categorical_crossentropy", metrics=["accuracy"])
    return trainer


def notebook_optimizer(**overrides):
    """Notebook 2's own optimizer; `overrides` replaces some of its arguments (a learning-rate schedule)."""
    import keras

    return keras.optimizers.Adam(**{**notebook_optimizer_arguments(), **overrides})


def notebook_optimizer_decaying(epochs, n_images, batch_size=32):
    """Notebook 2's optimizer with its learning rate falling to 0 by the last batch (cosine)."""
    import keras

    steps = epochs * -(-n_images // batch_size)
    start = notebook_optimizer_arguments()["learning_rate"]
    return notebook_optimizer(learning_rate=keras.optimizers.schedules.CosineDecay(start, decay_steps=steps))


def notebook_recalibration():
    """Notebook 2's `recalibrate_batchnorm` (section 5.3): after `fit`, one pass of training
    images in training mode settles BatchNormalization's moving averages."""
    return _notebook_function("recalibrate_batchnorm")


def notebook_start():
    """Notebook 2's `start_blocks_as_identity` (section 5.2), applied to the ResNet50 before it
    trains: every block's last BatchNorm on the main path starts at gamma 0 (zero-gamma)."""
    return _notebook_function("start_blocks_as_identity")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="data set seed (default 0)")
    parser.add_argument("--data-dir", help="measure existing SIGNS files instead of generating")
    parser.add_argument("--epochs", type=int, default=10, help="ResNet50 epochs (default 10)")
    parser.add_argument("--softmax-epochs", type=int, default=100)
    parser.add_argument("--cnn-epochs", type=int, default=30)
    parser.add_argument("--lr-schedule", choices=["constant", "cosine"], default="constant",
                        help="ResNet50 learning rate: Adam's constant 0.001 (the notebook) or "
                             "cosine decay from 0.001 to 0 over the epochs")
    parser.add_argument("--batch-size", type=int, default=32, help="ResNet50 batch size (default 32, as the notebook)")
    parser.add_argument("--skip-cnn", action="store_true")
    parser.add_argument("--skip-resnet", action="store_true")
    parser.add_argument("--resnet-source", metavar="FILE",
                        help="take ResNet50 from this Python file instead of the course source")
    parser.add_argument("--photos", help="real photos in the SIGNS test layout (default: found in shared/data/)")
    args = parser.parse_args(argv)
    photo_path = find_photos(args.photos)
    describe_photos(photo_path)
    photos = load_photos(photo_path) if photo_path is not None else None

    def on_real_photos(name, model):
        report(f"{name} on the generated test set", data[3].argmax(axis=1), predict(model, data[2]))
        if photos is not None:
            report_photos(f"{name} on real photos", model, photos)

    import keras

    failures = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = args.data_dir
        if folder is None:
            folder = scratch
            if time_generation(folder, args.seed) > GENERATION_BUDGET_S:
                failures.append("generation slower than 15 s")
        data = prepare(folder)

    keras.utils.set_random_seed(args.seed)
    softmax = train("softmax regression", softmax_regression(), data, args.softmax_epochs)
    if softmax[-1] >= SOFTMAX_CEILING:
        failures.append(f"softmax regression reaches {softmax[-1]:.3f} >= {SOFTMAX_CEILING}")
    if not args.skip_cnn:
        keras.utils.set_random_seed(args.seed)
        cnn_model = small_cnn()
        cnn = train("small CNN", cnn_model, data, args.cnn_epochs)
        on_real_photos("small CNN", cnn_model)
        if cnn[-1] <= softmax[-1]:
            failures.append("the small CNN does no better than softmax regression")
    if not args.skip_resnet:
        keras.utils.set_random_seed(args.seed)
        model = course_resnet50(args.resnet_source)(input_shape=(64, 64, 3), classes=6)
        notebook_start()(model)
        resnet = train("ResNet50", model, data, args.epochs, batch_size=args.batch_size, schedule=args.lr_schedule,
                       augmented=True)
        reached = [epoch + 1 for epoch, accuracy in enumerate(resnet) if accuracy >= RESNET_FLOOR]
        print(f"ResNet50: first epoch at >= {RESNET_FLOOR:.0%} test accuracy (moving averages as trained): "
              f"{reached[0] if reached else 'none'}")
        notebook_recalibration()(model, data[0])
        _, settled = model.evaluate(data[2], data[3], verbose=0)
        print(f"ResNet50 after the notebook's BatchNorm recalibration: test accuracy {settled:.3f} "
              f"(before {resnet[-1]:.3f})")
        on_real_photos("ResNet50 (recalibrated)", model)
        if settled < RESNET_FLOOR:
            failures.append(f"ResNet50 ends at {settled:.3f} < {RESNET_FLOOR} after {args.epochs} epochs "
                            "and the notebook's recalibration")

    for failure in failures:
        print(f"MISSED: {failure}")
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
