"""Plots for notebook 2: the model diagram, training curves, confusion matrix, mistakes.

Every title, axis and legend is bilingual (from the message catalog) and drawn with the
Hangul fallback font. Each function returns its Figure (the inline backend closes figures
at the end of a cell; tests inspect the returned object).
"""

import re

import numpy as np

from .fonts import use_korean_font
from .messages import label, register, text

register({
    "plot.curves_loss": {"ko": "손실", "en": "Loss"},
    "plot.curves_accuracy": {"ko": "정확도", "en": "Accuracy"},
    "plot.curves_epoch": {"ko": "에포크", "en": "Epoch"},
    "plot.curves_train": {"ko": "훈련", "en": "training"},
    "plot.curves_test": {"ko": "테스트", "en": "test"},
    "plot.curves_test_during": {"ko": "테스트, 훈련 중의 이동 평균으로", "en": "test, with the moving averages of training"},
    "plot.curves_test_recalibrated": {"ko": "테스트, 이동 평균을 맞춘 뒤", "en": "test, moving averages caught up"},
    "plot.curves_title": {"ko": "훈련 곡선", "en": "Training curves"},
    "plot.confusion_title": {"ko": "혼동 행렬 (테스트 세트)", "en": "Confusion matrix (test set)"},
    "plot.confusion_true": {"ko": "실제 손가락 수", "en": "True number of fingers"},
    "plot.confusion_pred": {"ko": "예측한 손가락 수", "en": "Predicted number of fingers"},
    "plot.mistakes_title": {"ko": "틀리게 분류한 테스트 이미지 {n}장", "en": "{n} misclassified test images"},
    "plot.mistakes_none": {"ko": "틀린 테스트 이미지가 없습니다", "en": "No misclassified test image"},
    "plot.mistake_caption": {"ko": "실제 {true} → 예측 {pred} ({p:.0%})", "en": "true {true} → pred {pred} ({p:.0%})"},
    "plot.diagram_title": {"ko": "{name}: 블록 단위 구조도", "en": "{name}: diagram by block"},
    "plot.diagram_note": {
        "ko": "pydot과 Graphviz가 설치되어 있지 않아, matplotlib 라이브러리로 블록 단위 그림을 그립니다.",
        "en": "pydot and Graphviz are not installed, so the matplotlib library draws a diagram by block.",
    },
    "plot.diagram_identity": {"ko": "항등 블록", "en": "identity block"},
    "plot.diagram_conv": {"ko": "합성곱 블록", "en": "convolutional block"},
    "plot.diagram_input": {"ko": "입력", "en": "input"},
    "plot.own_prompt": {
        "ko": "손 사진을 올리면 모델의 예측을 보여 줍니다(선택 사항).",
        "en": "Upload a photo of your hand to see the model's prediction (optional).",
    },
    "plot.own_upload": {"ko": "사진 올리기", "en": "Upload a photo"},
    "plot.own_none": {
        "ko": "아직 사진이 없습니다. 경로를 `MY_IMAGE_PATH`에 적거나 위의 버튼으로 올리세요.",
        "en": "No picture yet. Put a path in `MY_IMAGE_PATH` or use the button above.",
    },
    "plot.own_missing": {"ko": "파일을 찾을 수 없습니다: {path}", "en": "File not found: {path}"},
    "plot.own_unreadable": {"ko": "이미지로 읽을 수 없습니다: {error}", "en": "Could not read the image: {error}"},
    "plot.own_title": {"ko": "예측: 손가락 {pred}개 ({p:.0%})", "en": "prediction: {pred} fingers ({p:.0%})"},
    "plot.own_title_one": {"ko": "예측: 손가락 {pred}개 ({p:.0%})", "en": "prediction: {pred} finger ({p:.0%})"},
    "plot.own_bars": {"ko": "클래스별 확률", "en": "probability per class"},
})


# ---------------------------------------------------------------------------------------
# Training results
# ---------------------------------------------------------------------------------------


def plot_training_curves(history, recalibrated=None):
    """Loss and accuracy per epoch (training, and test when `validation_data` was given).

    `recalibrated`: {"loss": ..., "accuracy": ...} of the test set after the BatchNorm moving
    averages were caught up (notebook 2, section 5.3). The test curve was measured with the
    moving averages of training, so it ends well below what the model then scores: the
    caught-up value is drawn too, a marker after the last epoch with its number, so the
    figure and the line printed under it agree.
    """
    import matplotlib.pyplot as plt

    use_korean_font()
    logs = getattr(history, "history", history)
    figure, axes = plt.subplots(1, 2, figsize=(10, 3.8))
    test_name = "plot.curves_test_during" if recalibrated else "plot.curves_test"
    for ax, metric, key in ((axes[0], "loss", "plot.curves_loss"), (axes[1], "accuracy", "plot.curves_accuracy")):
        last = 0
        for prefix, name, style in (("", "plot.curves_train", "o-"), ("val_", test_name, "s--")):
            values = logs.get(prefix + metric)
            if values:
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, values, style, label=label(name))
                last = max(last, len(values))
        if recalibrated and recalibrated.get(metric) is not None:
            value = float(recalibrated[metric])
            shown = f"{value:.1%}" if metric == "accuracy" else f"{value:.3f}"
            ax.plot([last], [value], "*", markersize=14, color="#2ca02c",
                    label=f"{label('plot.curves_test_recalibrated')}: {shown}")
            ax.annotate(shown, (last, value), textcoords="offset points", xytext=(-8, 8), ha="right")
        ax.set_title(label(key))
        ax.set_xlabel(label("plot.curves_epoch"))
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize="small")
    figure.suptitle(label("plot.curves_title"))
    figure.tight_layout()
    return figure


def confusion_matrix(actual, predicted, n_classes):
    """Counts[i, j]: test images of class i predicted as class j."""
    counts = np.zeros((n_classes, n_classes), dtype=int)
    for a, p in zip(np.asarray(actual).reshape(-1), np.asarray(predicted).reshape(-1)):
        counts[int(a), int(p)] += 1
    return counts


def plot_confusion_matrix(actual, predicted, classes):
    """The confusion matrix as an annotated heat map; the diagonal holds the correct answers."""
    import matplotlib.pyplot as plt

    use_korean_font()
    classes = list(np.asarray(classes).reshape(-1))
    counts = confusion_matrix(actual, predicted, len(classes))
    figure, ax = plt.subplots(figsize=(5.2, 4.6))
    image = ax.imshow(counts, cmap="Blues")
    for i in range(len(classes)):
        for j in range(len(classes)):
            ax.text(j, i, str(counts[i, j]), ha="center", va="center",
                    color="white" if counts[i, j] > counts.max() / 2 else "black")
    ax.set_xticks(range(len(classes)), [str(c) for c in classes])
    ax.set_yticks(range(len(classes)), [str(c) for c in classes])
    ax.set_xlabel(label("plot.confusion_pred"))
    ax.set_ylabel(label("plot.confusion_true"))
    ax.set_title(label("plot.confusion_title"))
    figure.colorbar(image, ax=ax, shrink=0.8)
    figure.tight_layout()
    return figure


def plot_misclassified(images, actual, predicted, probabilities=None, max_images=12):
    """A gallery of the test images the model got wrong, with true and predicted classes."""
    import matplotlib.pyplot as plt

    use_korean_font()
    actual = np.asarray(actual).reshape(-1)
    predicted = np.asarray(predicted).reshape(-1)
    wrong = np.flatnonzero(actual != predicted)[:max_images]
    if len(wrong) == 0:
        figure, ax = plt.subplots(figsize=(4, 1))
        ax.axis("off")
        ax.text(0.5, 0.5, label("plot.mistakes_none"), ha="center", va="center")
        return figure
    columns = min(6, len(wrong))
    rows = int(np.ceil(len(wrong) / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(2.0 * columns, 2.3 * rows + 0.4), squeeze=False)
    for ax in axes.reshape(-1):
        ax.axis("off")
    for ax, index in zip(axes.reshape(-1), wrong):
        ax.imshow(images[index])
        p = float(probabilities[index, predicted[index]]) if probabilities is not None else float("nan")
        ax.set_title(text("plot.mistake_caption", true=actual[index], pred=predicted[index], p=p), fontsize=8)
    figure.suptitle(label("plot.mistakes_title", n=len(wrong)))
    figure.tight_layout()
    return figure


# ---------------------------------------------------------------------------------------
# The model diagram
# ---------------------------------------------------------------------------------------

_BLOCK_NAME = re.compile(r"^(?:res|bn)(\d+)([a-z]+)_branch")


def _graphviz_available():
    import shutil

    try:
        import pydot  # noqa: F401
    except ImportError:
        return False
    return shutil.which("dot") is not None


def model_groups(model):
    """The model's layers grouped for a diagram: [(title, kind, output shape)].

    Layers named like `res3b_branch2a` / `bn3b_branch2a` form block 3b, with the add and
    the ReLU that follow them; every other layer is its own group. kind is 'block-conv',
    'block-identity' or 'layer'.
    """
    groups = []
    current = None
    for layer in model.layers:
        match = _BLOCK_NAME.match(layer.name)
        if match:
            key = match.group(1) + match.group(2)
            if current is None or current["key"] != key:
                current = {"key": key, "layers": [], "shortcut": False}
                groups.append(current)
            current["layers"].append(layer)
            if layer.name.endswith("_branch1"):
                current["shortcut"] = True
            continue
        is_block_tail = current is not None and type(layer).__name__ in ("Add", "Activation", "ReLU") \
            and groups and groups[-1] is current
        if is_block_tail:
            current["layers"].append(layer)
            continue
        current = None
        groups.append({"key": None, "layers": [layer]})
    result = []
    for group in groups:
        last = group["layers"][-1]
        shape = tuple(last.output.shape)[1:]
        if group["key"]:
            kind = "block-conv" if group["shortcut"] else "block-identity"
            result.append((group["key"], kind, shape))
        else:
            result.append((last.name, "layer", shape))
    return result


def plot_model_diagram(model, columns=None):
    """A readable diagram of a model drawn with matplotlib: one box per block or layer."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    use_korean_font()
    groups = model_groups(model)
    # Activation layers outside blocks are folded into the box before them.
    merged = []
    for title, kind, shape in groups:
        if kind == "layer" and merged and merged[-1][1] == "layer" and \
                any(word in title for word in ("activation", "re_lu")):
            merged[-1] = (merged[-1][0] + " + ReLU", "layer", shape)
        else:
            merged.append((title, kind, shape))
    columns = columns or 6
    rows = int(np.ceil(len(merged) / columns))
    figure, ax = plt.subplots(figsize=(2.3 * columns, 1.35 * rows + 0.9))
    colours = {"block-conv": "#f4c28a", "block-identity": "#a9cfe8", "layer": "#e2e2e2"}
    for index, (title, kind, shape) in enumerate(merged):
        row, column = divmod(index, columns)
        if row % 2 == 1:
            column = columns - 1 - column  # snake, so arrows stay short
        x, y = column * 2.3, -row * 1.35
        ax.add_patch(FancyBboxPatch((x, y), 1.9, 0.9, boxstyle="round,pad=0.05",
                                    facecolor=colours[kind], edgecolor="#555555"))
        ax.text(x + 0.95, y + 0.7, title, ha="center", va="center", fontsize=8, weight="bold")
        if kind != "layer":
            kind_text = text("plot.diagram_conv" if kind == "block-conv" else "plot.diagram_identity")
            ax.text(x + 0.95, y + 0.43, kind_text, ha="center", va="center", fontsize=7.5, color="#333333",
                    linespacing=1.0)
        ax.text(x + 0.95, y + 0.18, "x".join(str(d) for d in shape), ha="center", va="center",
                fontsize=7.5, family="monospace")
        if index + 1 < len(merged):
            next_row, next_column = divmod(index + 1, columns)
            if next_row % 2 == 1:
                next_column = columns - 1 - next_column
            nx, ny = next_column * 2.3, -next_row * 1.35
            if next_row == row:
                start = (x + 1.95, y + 0.45) if nx > x else (x - 0.05, y + 0.45)
                end = (nx - 0.05, ny + 0.45) if nx > x else (nx + 1.95, ny + 0.45)
            else:
                start, end = (x + 0.95, y - 0.05), (nx + 0.95, ny + 0.95)
            ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="->", color="#555555"))
    ax.set_xlim(-0.3, columns * 2.3)
    ax.set_ylim(-(rows - 1) * 1.35 - 0.3, 1.2)
    ax.axis("off")
    ax.set_title(label("plot.diagram_title", name=model.name))
    figure.tight_layout()
    return figure


def show_model_diagram(model):
    """Show Keras's plot_model when pydot and Graphviz are there, otherwise `plot_model_diagram`.

    Never raises for a missing tool: the fallback needs only matplotlib. Returns nothing:
    the notebook calls it as a cell's last line, where a returned figure would be echoed as
    a second copy of the picture (the inline backend already shows the open figure).
    """
    if _graphviz_available():
        try:
            import os
            import tempfile

            import keras
            from IPython.display import Image, display

            path = os.path.join(tempfile.mkdtemp(prefix="resnet-course-"), "model.png")
            keras.utils.plot_model(model, to_file=path, show_shapes=True, dpi=60)
            display(Image(filename=path))
            return
        except Exception:
            pass  # fall back to the matplotlib diagram
    print(text("plot.diagram_note"))
    plot_model_diagram(model)


# ---------------------------------------------------------------------------------------
# Your own picture
# ---------------------------------------------------------------------------------------


def prepare_image(source, size=64):
    """A picture (path, bytes or PIL image) as the model sees it: (1, size, size, 3) in [0, 1]."""
    import io

    from PIL import Image, ImageOps

    if isinstance(source, (bytes, bytearray, memoryview)):
        image = Image.open(io.BytesIO(bytes(source)))
    elif isinstance(source, Image.Image):
        image = source
    else:
        image = Image.open(source)
    image = ImageOps.exif_transpose(image).convert("RGB")
    image = ImageOps.fit(image, (size, size), Image.Resampling.LANCZOS)  # crop to square, then resize
    return np.asarray(image, dtype=np.float32)[None] / 255.0


def read_both_ways(model, images):
    """Class probabilities for each picture, read as taken and mirrored and averaged.

    A sign means the same count shown with the left hand or the right, and half of the
    training pictures are mirrored, so a photo and its mirror image are two looks at one
    sign. Trained as notebook 2 trains, ResNet50 read the benchmark's real photos about one
    in sixty better this way than as taken, on average and not on every model
    (benchmarks/SIGNS-TRANSFER.md, session 27).
    `images` is (m, 64, 64, 3); returns (m, classes).
    """
    images = np.asarray(images, dtype=np.float32)
    both = np.concatenate([images, images[:, :, ::-1]])  # axis 2 runs across the picture
    probabilities = np.asarray(model.predict(both, batch_size=len(both), verbose=0))
    return 0.5 * (probabilities[:len(images)] + probabilities[len(images):])


def plot_own_prediction(model, image, classes):
    """The picture and the model's probability for each class (`read_both_ways`)."""
    import matplotlib.pyplot as plt

    use_korean_font()
    probabilities = read_both_ways(model, image)[0]
    best = int(probabilities.argmax())
    classes = list(np.asarray(classes).reshape(-1))
    figure, (left, right) = plt.subplots(1, 2, figsize=(7, 3))
    left.imshow(image[0])
    left.axis("off")
    title = "plot.own_title_one" if str(classes[best]) == "1" else "plot.own_title"  # 1 finger, 0 or 2 fingers
    left.set_title(label(title, pred=classes[best], p=float(probabilities[best])), fontsize=9)
    right.bar([str(c) for c in classes], probabilities, color="#4c8bbf")
    right.set_ylim(0, 1)
    right.set_title(label("plot.own_bars"), fontsize=9)
    figure.tight_layout()
    return figure


def own_image_predictor(model, classes, path=""):
    """Predict on the picture at `path`, or offer an upload button. Never raises for a missing picture."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    if path:
        from pathlib import Path

        if not Path(path).expanduser().is_file():
            print(text("plot.own_missing", path=path))
            return None
        try:
            image = prepare_image(Path(path).expanduser())
        except Exception as error:  # not a picture PIL can read
            print(text("plot.own_unreadable", error=error))
            return None
        figure = plot_own_prediction(model, image, classes)
        plt.show()
        return figure
    try:
        import ipywidgets as widgets
    except ImportError:
        print(text("plot.own_none"))
        return None
    upload = widgets.FileUpload(accept="image/*", multiple=False, description=label("plot.own_upload"),
                                layout=widgets.Layout(width="auto"))
    output = widgets.Output()

    def on_upload(change):
        output.clear_output()
        with output:
            files = change["new"]
            if not files:
                return
            content = files[0]["content"]
            try:
                image = prepare_image(content)
            except Exception as error:
                print(text("plot.own_unreadable", error=error))
                return
            plot_own_prediction(model, image, classes)
            plt.show()

    upload.observe(on_upload, names="value")
    display(widgets.VBox([widgets.HTML(label("plot.own_prompt")), upload, output]))
    print(text("plot.own_none"))
    return upload
