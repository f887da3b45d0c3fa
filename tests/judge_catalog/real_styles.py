"""A second catalog: solutions in the styles real students bring, each with the score it must get.

Written for this course (nothing copied): the answer cells of students who learned from the
original assignment's template (Keras 2 spacing and habits, `from keras import layers`), from
its TF2 edition (no layer names, `training=` and `initializer=` parameters), and from
tutorials (`Sequential`, `+` between tensors, pandas plots). The ResNet50 entries call the
notebook's own `identity_block` and `convolutional_block`, as students do, so a submission that
pairs them with a broken block shows that a block's mistake never costs ResNet50 anything.

Every entry states its score (`score=`, held to its checks' points) and, for each check it
loses, a fragment of the message it must show (English; the Korean text is checked too).
Kinds: "valid" (full marks), "names" (a naming slip: at most 1 point lost), "habit" (Keras 2
or TF2 code that Keras 3 refuses: its own message), "mistake" (a real error, charged once).
"""

from .catalog import Entry, GRADE_IDS
from .real_styles_blocks import CONV_STYLES, IDENTITY_STYLES

_RN = GRADE_IDS["ResNet50"]

# ---------------------------------------------------------------------------------------
# ResNet50: calls the notebook's own blocks, as students do
# ---------------------------------------------------------------------------------------

_RESNET_TEMPLATE = '''
def ResNet50(input_shape = (64, 64, 3), classes = 6):
    X_input = Input(input_shape)
    X = ZeroPadding2D((3, 3))(X_input)

    X = Conv2D(64, (7, 7), strides = (2, 2), name = 'conv1', kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3, name = 'bn_conv1')(X)
    X = Activation('relu')(X)
    X = MaxPooling2D((3, 3), strides=(2, 2))(X)

    X = convolutional_block(X, f = 3, filters = [64, 64, 256], stage = 2, block='a', s = 1)
    X = identity_block(X, 3, [64, 64, 256], stage=2, block='b')
    X = identity_block(X, 3, [64, 64, 256], stage=2, block='c')

    X = convolutional_block(X, f = 3, filters = [128, 128, 512], stage = 3, block='a', s = 2)
    X = identity_block(X, 3, [128, 128, 512], stage=3, block='b')
    X = identity_block(X, 3, [128, 128, 512], stage=3, block='c')
    X = identity_block(X, 3, [128, 128, 512], stage=3, block='d')

    X = convolutional_block(X, f = 3, filters = [256, 256, 1024], stage = 4, block='a', s = 2)
    X = identity_block(X, 3, [256, 256, 1024], stage=4, block='b')
    X = identity_block(X, 3, [256, 256, 1024], stage=4, block='c')
    X = identity_block(X, 3, [256, 256, 1024], stage=4, block='d')
    X = identity_block(X, 3, [256, 256, 1024], stage=4, block='e')
    X = identity_block(X, 3, [256, 256, 1024], stage=4, block='f')

    X = convolutional_block(X, f = 3, filters = [512, 512, 2048], stage = 5, block='a', s = 2)
    X = identity_block(X, 3, [512, 512, 2048], stage=5, block='b')
    X = identity_block(X, 3, [512, 512, 2048], stage=5, block='c')

    X = AveragePooling2D(pool_size=(2, 2), padding='same', name='avg_pool')(X)

    X = Flatten()(X)
    X = Dense(classes, activation='softmax', name='fc' + str(classes), kernel_initializer = glorot_uniform(seed=0))(X)

    model = Model(inputs = X_input, outputs = X, name='ResNet50')
    return model
'''


def _resnet(*pairs):
    text = _RESNET_TEMPLATE
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


RESNET_STYLES = [
    # 'same' padding on a 2×2 window over the 2×2 map of stage 5 pads nothing: equal to 'valid'.
    Entry("rs_r_template_avgpool_same", "ResNet50", "valid", _RESNET_TEMPLATE, score=12),
    Entry("rs_r_loop_dict", "ResNet50", "valid", '''
def ResNet50(input_shape=(64, 64, 3), classes=6):
    X_input = Input(input_shape)
    X = layers.ZeroPadding2D(padding=(3, 3))(X_input)
    X = layers.Conv2D(64, 7, strides=2, name="conv1")(X)
    X = layers.BatchNormalization(axis=3, name="bn_conv1")(X)
    X = layers.ReLU()(X)
    X = layers.MaxPooling2D(pool_size=3, strides=2)(X)
    plan = {2: ([64, 64, 256], 1, "bc"), 3: ([128, 128, 512], 2, "bcd"),
            4: ([256, 256, 1024], 2, "bcdef"), 5: ([512, 512, 2048], 2, "bc")}
    for stage, (filters, stride, letters) in plan.items():
        X = convolutional_block(X, 3, filters, stage, "a", s=stride)
        for letter in letters:
            X = identity_block(X, 3, filters, stage, letter)
    X = layers.AveragePooling2D((2, 2), name="avg_pool")(X)
    X = layers.Flatten()(X)
    X = layers.Dense(classes, activation="softmax", name=f"fc{classes}")(X)
    return Model(inputs=X_input, outputs=X, name="ResNet50")
''', score=12),
    # ---- naming slips: the names point only
    Entry("rs_r_avgpool_no_name", "ResNet50", "names",
          _resnet("AveragePooling2D(pool_size=(2, 2), padding='same', name='avg_pool')", "AveragePooling2D(pool_size=(2, 2), padding='same')"),
          {"ResNet50_names": "avg_pool ≠ average_pooling2d"}, score=11),
    Entry("rs_r_stage5_letters_cd", "ResNet50", "names",
          _resnet("stage=5, block='c')\n", "stage=5, block='d')\n", "stage=5, block='b')", "stage=5, block='c')"),
          {"ResNet50_names": "res5b_branch… ≠ res5c_branch…"}, score=11),
    Entry("rs_r_no_model_name", "ResNet50", "names",
          _resnet("Model(inputs = X_input, outputs = X, name='ResNet50')", "Model(inputs = X_input, outputs = X)"),
          {"ResNet50_names": "ResNet50 ≠ functional"}, score=11),
    # The TF2 edition's ResNet50: blocks called without stage or block, no layer names.
    Entry("rs_r_tf2_style", "ResNet50", "names", '''
def ResNet50(input_shape = (64, 64, 3), classes = 6):
    X_input = Input(input_shape)
    X = ZeroPadding2D((3, 3))(X_input)
    X = Conv2D(64, (7, 7), strides = (2, 2), kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3)(X)
    X = Activation('relu')(X)
    X = MaxPooling2D((3, 3), strides=(2, 2))(X)
    X = convolutional_block(X, f = 3, filters = [64, 64, 256], s = 1)
    X = identity_block(X, 3, [64, 64, 256])
    X = identity_block(X, 3, [64, 64, 256])
    X = convolutional_block(X, f = 3, filters = [128,128,512], s = 2)
    for _ in range(3):
        X = identity_block(X, 3, [128,128,512])
    X = convolutional_block(X, f = 3, filters = [256, 256, 1024], s = 2)
    for _ in range(5):
        X = identity_block(X, 3, [256, 256, 1024])
    X = convolutional_block(X, f = 3, filters = [512, 512, 2048], s = 2)
    X = identity_block(X, 3, [512, 512, 2048])
    X = identity_block(X, 3, [512, 512, 2048])
    X = AveragePooling2D((2, 2))(X)
    X = Flatten()(X)
    X = Dense(classes, activation='softmax', kernel_initializer = glorot_uniform(seed=0))(X)
    model = Model(inputs = X_input, outputs = X)
    return model
''', {"ResNet50_names": "conv1 ≠ conv2d"}, score=11),
    # ---- Keras 2 habits
    Entry("rs_r_k2_avgpool_default", "ResNet50", "habit",
          _resnet("AveragePooling2D(pool_size=(2, 2), padding='same', name='avg_pool')", "AveragePooling2D(name='avg_pool')"),
          {g: "Keras 3 needs `pool_size=(2, 2)`" for g in _RN}, score=0),
    Entry("rs_r_k2_model_input_output", "ResNet50", "habit",
          _resnet("Model(inputs = X_input, outputs = X, name='ResNet50')", "Model(input = X_input, output = X, name='ResNet50')"),
          {g: "`input` is a Keras 2 argument" for g in _RN}, score=0),
    # ---- a mistake of ResNet50's own, charged once
    Entry("rs_r_stage3_stride_1", "ResNet50", "mistake",
          _resnet("filters = [128, 128, 512], stage = 3, block='a', s = 2)", "filters = [128, 128, 512], stage = 3, block='a', s = 1)"),
          {"ResNet50_layout": "Stage 3's convolutional block has stride 1"}, score=9),
]

# ---------------------------------------------------------------------------------------
# Notebook 1
# ---------------------------------------------------------------------------------------

DEEP_STYLES = [
    Entry("rs_deep_sequential_when_plain", "build_deep_network", "valid", '''
def build_deep_network(depth, width, activation, residual, input_dim=2):
    if not residual:
        model = keras.Sequential(name="plain")
        model.add(keras.Input(shape=(input_dim,)))
        for i in range(depth):
            model.add(layers.Dense(width, activation=activation, name="hidden_%d" % (i + 1)))
        model.add(layers.Dense(1, name="output"))
        return model
    x = inputs = keras.Input(shape=(input_dim,))
    x = layers.Dense(width, activation=activation, name="hidden_1")(x)
    for i in range(2, depth + 1):
        x = layers.Add(name=f"skip_{i}")([x, layers.Dense(width, activation=activation, name=f"hidden_{i}")(x)])
    return keras.Model(inputs, layers.Dense(1, name="output")(x))
''', score=4),
    Entry("rs_deep_while_plus_activation_layers", "build_deep_network", "valid", '''
def build_deep_network(depth, width, activation, residual, input_dim=2):
    inputs = keras.Input(shape=(input_dim,))
    act = (lambda: layers.ReLU()) if activation == "relu" else (lambda: layers.Activation(activation))
    h = act()(layers.Dense(width, name="hidden_1")(inputs))
    i = 2
    while i <= depth:
        z = act()(layers.Dense(width, name="hidden_" + str(i))(h))
        h = h + z if residual else z
        i += 1
    return keras.Model(inputs=inputs, outputs=layers.Dense(1, name="output")(h))
''', score=4),
    Entry("rs_deep_keras_add_function", "build_deep_network", "valid", '''
import tensorflow as tf

def build_deep_network(depth, width, activation, residual, input_dim=2):
    x_in = tf.keras.layers.Input(shape=(input_dim,))
    hidden = [tf.keras.layers.Dense(width, activation=activation, name=f"hidden_{i}") for i in range(1, depth + 1)]
    h = hidden[0](x_in)
    for number, layer in enumerate(hidden[1:], start=2):
        h = keras.layers.add([h, layer(h)], name=f"skip_{number}") if residual else layer(h)
    return tf.keras.Model(x_in, tf.keras.layers.Dense(1, name="output")(h))
''', score=4),
    Entry("rs_deep_default_names", "build_deep_network", "names", '''
def build_deep_network(depth, width, activation, residual, input_dim=2):
    inputs = keras.Input(shape=(input_dim,))
    h = layers.Dense(width, activation=activation)(inputs)
    for _ in range(depth - 1):
        z = layers.Dense(width, activation=activation)(h)
        h = layers.Add()([h, z]) if residual else z
    return keras.Model(inputs, layers.Dense(1)(h))
''', {"build_deep_network_names": "hidden_1 ≠ dense"}, score=3),
]

NORMS_STYLES = [
    Entry("rs_norms_tape_per_layer", "layer_gradient_norms", "valid", '''
def layer_gradient_norms(model, X, Y):
    hidden = [layer for layer in model.layers if layer.name.startswith("hidden_")]
    hidden.sort(key=lambda layer: int(layer.name.split("_")[-1]))
    norms = []
    for layer in hidden:
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean((model(X) - Y) ** 2)
        norms.append(tf.norm(tape.gradient(loss, layer.kernel)).numpy())
    return np.array(norms)
''', score=4),
    Entry("rs_norms_one_tape_kernel_paths", "layer_gradient_norms", "valid", '''
def layer_gradient_norms(model, X, Y):
    kernels = {v.path.split("/")[0]: v for v in model.trainable_weights if v.path.endswith("kernel")}
    names = sorted((n for n in kernels if n.startswith("hidden_")), key=lambda n: int(n.split("_")[1]))
    with tf.GradientTape() as tape:
        loss = keras.ops.mean(keras.ops.square(model(X) - Y))
    grads = tape.gradient(loss, [kernels[n] for n in names])
    return np.array([np.linalg.norm(keras.ops.convert_to_numpy(g)) for g in grads], dtype=np.float64)
''', score=4),
    Entry("rs_norms_sum_reduction", "layer_gradient_norms", "mistake", '''
def layer_gradient_norms(model, X, Y):
    depth = len([l for l in model.layers if l.name.startswith("hidden_")])
    kernels = [model.get_layer(f"hidden_{i}").kernel for i in range(1, depth + 1)]
    with tf.GradientTape() as tape:
        loss = keras.losses.MeanSquaredError(reduction="sum")(Y, model(X))
    return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])
''', {"layer_gradient_norms_values": "not summed"}, score=1),
]

PLOT_STYLES = [
    Entry("rs_plot_set_yscale_styled", "plot_gradient_norms", "valid", '''
def plot_gradient_norms(norms_by_name, ax=None):
    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 4))
    styles = ["-", "--", "-.", ":"]
    for k, (name, norms) in enumerate(norms_by_name.items()):
        ax.plot(range(1, len(norms) + 1), norms, linestyle=styles[k % 4], marker="s", linewidth=1.5, label=name)
    ax.set_yscale("log", base=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_xlabel("layer (hidden_i)")
    ax.set_ylabel("||dL/dW||")
    ax.set_title("Gradient norms")
    ax.legend(loc="upper left", fontsize=8, frameon=False)
    return ax
''', score=3),
    Entry("rs_plot_pandas_series", "plot_gradient_norms", "valid", '''
import pandas as pd

def plot_gradient_norms(norms_by_name, ax=None):
    if ax is None:
        ax = plt.figure(figsize=(6, 4)).gca()
    for name, norms in norms_by_name.items():
        series = pd.Series(list(norms), index=range(1, len(norms) + 1), name=name)
        series.plot(ax=ax, logy=True, marker="o", label=name)
    ax.set_xlabel("layer")
    ax.set_ylabel("gradient norm")
    ax.legend()
    return ax
''', score=3),
    Entry("rs_plot_semilogy_figure_legend", "plot_gradient_norms", "valid", '''
def plot_gradient_norms(norms_by_name, ax=None):
    if ax is None:
        _, ax = plt.subplots()
    for name, norms in norms_by_name.items():
        ax.semilogy(np.arange(1, len(norms) + 1), np.asarray(norms), "o-", label=name)
    ax.set(xlabel="층 / layer", ylabel="노름 / norm")
    ax.legend(title="network")
    return ax
''', score=3),
]

ALL = IDENTITY_STYLES + CONV_STYLES + RESNET_STYLES + DEEP_STYLES + NORMS_STYLES + PLOT_STYLES
BY_NAME = {entry.name: entry for entry in ALL}
assert len(BY_NAME) == len(ALL), "duplicate names in the real-styles catalog"
