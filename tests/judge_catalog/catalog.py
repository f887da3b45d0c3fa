"""The judge's catalog: wrong implementations students really write, correct ones written
differently, and cheats, for every graded function of both notebooks.

Each entry replaces one answer cell (`# GRADED FUNCTION: <function>`) of the student copy:

    Entry(name, function, kind, source, fails={grade_id: message fragment}, passes=[grade ids])

`kind` is "mistake", "valid" or "cheat". A grade id listed in `fails` must score 0 and its
message must contain the fragment (English; the Korean text is checked separately); one in
`passes` must score full marks. A valid variant passes every grade id of its function.

Each mistake is charged once, to the check it belongs to (error carried forward, see
autograder/judge/carried_forward.py): a block's missing layer or wrong setting costs its
structure check only, a wrong wiring its values check only, a ResNet50 layout mistake its
layout check only.

Most mistakes are small edits of a correct answer (`edit(base, old, new)`), so each entry
shows exactly what the student got wrong. The ResNet50 entries carry their own correct
blocks (a helper of their own), so a submission can pair them with any block entries.
"""

from dataclasses import dataclass, field

GRADE_IDS = {
    "identity_block": ["identity_block_structure", "identity_block_values", "identity_block_training",
                       "identity_block_names"],
    "convolutional_block": ["convolutional_block_structure", "convolutional_block_values",
                            "convolutional_block_training", "convolutional_block_names"],
    "ResNet50": ["ResNet50_layout", "ResNet50_layers", "ResNet50_params", "ResNet50_values", "ResNet50_names"],
    "build_deep_network": ["build_deep_network_structure", "build_deep_network_values", "build_deep_network_names"],
    "layer_gradient_norms": ["layer_gradient_norms_shape", "layer_gradient_norms_values"],
    "plot_gradient_norms": ["plot_gradient_norms_lines", "plot_gradient_norms_labels"],
}
NOTEBOOK = {
    "identity_block": "02_residual_networks", "convolutional_block": "02_residual_networks",
    "ResNet50": "02_residual_networks", "build_deep_network": "01_vanishing_gradients",
    "layer_gradient_norms": "01_vanishing_gradients", "plot_gradient_norms": "01_vanishing_gradients",
}
NO_RESULT = "No result reached the grader"
# Points per grade id, as the notebooks' graded cells give them (tests/judge checks they agree).
POINTS = {
    "identity_block_structure": 3, "identity_block_values": 3, "identity_block_training": 3,
    "identity_block_names": 1,
    "convolutional_block_structure": 3, "convolutional_block_values": 3, "convolutional_block_training": 3,
    "convolutional_block_names": 1,
    "ResNet50_layout": 3, "ResNet50_layers": 3, "ResNet50_params": 2, "ResNet50_values": 3, "ResNet50_names": 1,
    "build_deep_network_structure": 1, "build_deep_network_values": 2, "build_deep_network_names": 1,
    "layer_gradient_norms_shape": 1, "layer_gradient_norms_values": 3,
    "plot_gradient_norms_lines": 2, "plot_gradient_norms_labels": 1,
}


@dataclass
class Entry:
    name: str
    function: str
    kind: str
    source: str
    fails: dict = field(default_factory=dict)
    passes: list = None  # None: every grade id of the function not in `fails`
    score: int = None  # the points the entry must get in all (None: follows from `fails`)

    def __post_init__(self):
        if self.score is not None:
            earned = sum(POINTS[g] for g, ok in self.expected().items() if ok)
            assert earned == self.score, f"{self.name}: states {self.score} points, its checks give {earned}"

    def points(self):
        return sum(POINTS[g] for g, ok in self.expected().items() if ok)

    def expected(self):
        """{grade_id: True (full marks) / False (zero)}."""
        passing = self.passes if self.passes is not None else [
            g for g in GRADE_IDS[self.function] if g not in self.fails]
        return {**{g: True for g in passing}, **{g: False for g in self.fails}}


def edit(base, *pairs):
    """`base` with each (old, new) replaced exactly once (a typo in the catalog fails loudly)."""
    for old, new in zip(pairs[::2], pairs[1::2]):
        assert base.count(old) >= 1, f"catalog edit does not apply: {old!r}"
        base = base.replace(old, new, 1)
    return base


# ---------------------------------------------------------------------------------------
# identity_block
# ---------------------------------------------------------------------------------------

IDENTITY = '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = "res" + str(stage) + block + "_branch"
    bn_name_base = "bn" + str(stage) + block + "_branch"
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), strides=(1, 1), padding="valid", name=conv_name_base + "2a",
               kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name=bn_name_base + "2a")(X)
    X = Activation("relu")(X)
    X = Conv2D(F2, (f, f), strides=(1, 1), padding="same", name=conv_name_base + "2b",
               kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name=bn_name_base + "2b")(X)
    X = Activation("relu")(X)
    X = Conv2D(F3, (1, 1), strides=(1, 1), padding="valid", name=conv_name_base + "2c",
               kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name=bn_name_base + "2c")(X)
    X = Add()([X, X_shortcut])
    X = Activation("relu")(X)
    return X
'''

_ID_ALL = GRADE_IDS["identity_block"]


def _id_fail(fragment):
    """A layer missing or set wrong: the structure check's, once."""
    return {"identity_block_structure": fragment}


def _id_wiring(fragment):
    """The right layers wired in the wrong order: the values check's, once."""
    return {"identity_block_values": fragment}


IDENTITY_ENTRIES = [
    Entry("id_final_relu_missing", "identity_block", "mistake",
          edit(IDENTITY, '    X = Add()([X, X_shortcut])\n    X = Activation("relu")(X)\n',
               '    X = Add()([X, X_shortcut])\n'),
          _id_fail("final ReLU is missing")),
    Entry("id_relu_before_add", "identity_block", "mistake",
          edit(IDENTITY, '    X = Add()([X, X_shortcut])\n    X = Activation("relu")(X)\n',
               '    X = Activation("relu")(X)\n    X = Add()([X, X_shortcut])\n'),
          _id_wiring("ReLU is applied before the add")),
    Entry("id_add_before_last_bn", "identity_block", "mistake",
          edit(IDENTITY, '    X = BatchNormalization(axis=3, name=bn_name_base + "2c")(X)\n    X = Add()([X, X_shortcut])\n',
               '    X = Add()([X, X_shortcut])\n    X = BatchNormalization(axis=3, name=bn_name_base + "2c")(X)\n'),
          _id_wiring("added before the last BatchNormalization")),
    # Fresh statistics would hide it in inference mode; the judge sets non-trivial ones,
    # and the structure check names the axis.
    Entry("id_bn_axis_1", "identity_block", "mistake",
          IDENTITY.replace("axis=3", "axis=1"),
          _id_fail("normalises the wrong axis")),
    Entry("id_filters_order", "identity_block", "mistake",
          edit(IDENTITY, "X = Conv2D(F1, (1, 1)", "X = Conv2D(F2, (1, 1)", "X = Conv2D(F2, (f, f)", "X = Conv2D(F1, (f, f)"),
          _id_fail("Filters in the wrong order")),
    Entry("id_no_shortcut", "identity_block", "mistake",
          edit(IDENTITY, "    X = Add()([X, X_shortcut])\n", ""),
          _id_fail("There is no add")),
    # A hard-wired training=True: Keras 3's functional call overrides it, so the outputs
    # are right; only the structure check can see it.
    Entry("id_training_hardwired", "identity_block", "mistake",
          IDENTITY.replace('name=bn_name_base + "2b")(X)', 'name=bn_name_base + "2b")(X, training=True)'),
          {"identity_block_structure": "training=True"}),
    # valid padding on the middle convolution breaks the add for f > 1: the function raises,
    # and the judge names the cause from the shapes Keras reports.
    Entry("id_valid_middle", "identity_block", "mistake",
          edit(IDENTITY, 'padding="same", name=conv_name_base + "2b"', 'padding="valid", name=conv_name_base + "2b"'),
          {"identity_block_structure": "check the padding of the middle f×f convolution"}),
    # ---- valid variants
    Entry("id_layers_add_reversed", "identity_block", "valid",
          "from keras import layers\n" + edit(
              IDENTITY, "X = Add()([X, X_shortcut])", "X = layers.add([X_shortcut, X])",
              'X = Activation("relu")(X)\n    return X', "X = layers.ReLU()(X)\n    return X")),
    Entry("id_relu_strides_int_same_1x1_he", "identity_block", "valid",
          IDENTITY.replace('Activation("relu")', "keras.layers.ReLU()")
          .replace("strides=(1, 1)", "strides=1")
          .replace('padding="valid"', 'padding="same"')
          .replace("glorot_uniform(seed=0)", '"he_normal"')),
    Entry("id_tf_keras_helper", "identity_block", "valid", '''
import tensorflow as tf

def _conv_bn(X, n_filters, size, name_conv, name_bn, relu=True):
    X = tf.keras.layers.Conv2D(filters=n_filters, kernel_size=size, padding="same", name=name_conv)(X)
    X = tf.keras.layers.BatchNormalization(axis=-1, name=name_bn)(X)
    if relu:
        X = tf.keras.layers.Activation(tf.nn.relu)(X)
    return X

def identity_block(X, f, filters, stage, block):
    base = f"{stage}{block}_branch"
    first, middle, last = filters
    shortcut = X
    main = _conv_bn(X, first, 1, "res" + base + "2a", "bn" + base + "2a")
    main = _conv_bn(main, middle, f, "res" + base + "2b", "bn" + base + "2b")
    main = _conv_bn(main, last, 1, "res" + base + "2c", "bn" + base + "2c", relu=False)
    summed = tf.keras.layers.Add()([shortcut, main])
    return tf.keras.layers.Activation("relu")(summed)
'''),
    Entry("id_plus_operator_ops_relu", "identity_block", "valid",
          edit(IDENTITY, "    X = Add()([X, X_shortcut])\n    X = Activation(\"relu\")(X)\n",
               "    X = X_shortcut + X\n    X = keras.ops.relu(X)\n")),
    Entry("id_star_import_created_shortcut_later", "identity_block", "valid", '''
from keras.layers import *
from keras import initializers

def identity_block(X, f, filters, stage, block):
    F1, F2, F3 = filters
    names = {part: f"res{stage}{block}_branch{part}" for part in ("2a", "2b", "2c")}
    bns = {part: f"bn{stage}{block}_branch{part}" for part in ("2a", "2b", "2c")}
    init = initializers.GlorotNormal(seed=3)
    main = X
    for part, n, k in (("2a", F1, 1), ("2b", F2, f)):
        main = Conv2D(n, kernel_size=k, padding="same" if k > 1 else "valid", name=names[part],
                      kernel_initializer=init)(main)
        main = BatchNormalization(axis=3, name=bns[part])(main)
        main = Activation("relu")(main)
    main = Conv2D(F3, 1, name=names["2c"], kernel_initializer=init)(main)
    main = BatchNormalization(axis=3, name=bns["2c"])(main)
    return Activation("relu")(Add()([main, X]))
'''),
]

# ---------------------------------------------------------------------------------------
# convolutional_block
# ---------------------------------------------------------------------------------------

CONV = '''
def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = "res" + str(stage) + block + "_branch"
    bn_name_base = "bn" + str(stage) + block + "_branch"
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), strides=(s, s), padding="valid", name=conv_name_base + "2a",
               kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name=bn_name_base + "2a")(X)
    X = Activation("relu")(X)
    X = Conv2D(F2, (f, f), strides=(1, 1), padding="same", name=conv_name_base + "2b",
               kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name=bn_name_base + "2b")(X)
    X = Activation("relu")(X)
    X = Conv2D(F3, (1, 1), strides=(1, 1), padding="valid", name=conv_name_base + "2c",
               kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name=bn_name_base + "2c")(X)
    X_shortcut = Conv2D(F3, (1, 1), strides=(s, s), padding="valid", name=conv_name_base + "1",
                        kernel_initializer=glorot_uniform(seed=0))(X_shortcut)
    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + "1")(X_shortcut)
    X = Add()([X, X_shortcut])
    X = Activation("relu")(X)
    return X
'''


def _cb_fail(fragment):
    return {"convolutional_block_structure": fragment}


def _cb_wiring(fragment):
    return {"convolutional_block_values": fragment}


CONV_ENTRIES = [
    Entry("cb_stride_on_middle", "convolutional_block", "mistake",
          edit(CONV, 'X = Conv2D(F1, (1, 1), strides=(s, s)', 'X = Conv2D(F1, (1, 1), strides=(1, 1)',
               'X = Conv2D(F2, (f, f), strides=(1, 1)', 'X = Conv2D(F2, (f, f), strides=(s, s)'),
          _cb_fail("on the middle")),
    Entry("cb_no_shortcut_bn", "convolutional_block", "mistake",
          edit(CONV, '    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + "1")(X_shortcut)\n', ""),
          _cb_fail("No BatchNormalization on the shortcut")),
    Entry("cb_shortcut_relu", "convolutional_block", "mistake",
          edit(CONV, '    X = Add()([X, X_shortcut])\n',
               '    X_shortcut = Activation("relu")(X_shortcut)\n    X = Add()([X, X_shortcut])\n'),
          _cb_fail("The shortcut has a ReLU")),
    Entry("cb_kernel_f_on_shortcut", "convolutional_block", "mistake",
          edit(CONV, 'X_shortcut = Conv2D(F3, (1, 1), strides=(s, s), padding="valid"',
               'X_shortcut = Conv2D(F3, (f, f), strides=(s, s), padding="same"'),
          _cb_fail("Kernel size f=")),
    Entry("cb_filters_order", "convolutional_block", "mistake",
          edit(CONV, "X = Conv2D(F1, (1, 1)", "X = Conv2D(F2, (1, 1)", "X = Conv2D(F2, (f, f)", "X = Conv2D(F1, (f, f)"),
          _cb_fail("Filters in the wrong order")),
    Entry("cb_relu_before_bn", "convolutional_block", "mistake",
          edit(CONV, '    X = BatchNormalization(axis=3, name=bn_name_base + "2b")(X)\n    X = Activation("relu")(X)\n',
               '    X = Activation("relu")(X)\n    X = BatchNormalization(axis=3, name=bn_name_base + "2b")(X)\n'),
          _cb_wiring("ReLU comes before BatchNormalization")),
    # The stride is missing on the shortcut: for s > 1 the add fails and the function raises,
    # and the judge names the cause from the shapes Keras reports.
    Entry("cb_shortcut_no_stride", "convolutional_block", "mistake",
          edit(CONV, 'X_shortcut = Conv2D(F3, (1, 1), strides=(s, s)', 'X_shortcut = Conv2D(F3, (1, 1), strides=(1, 1)'),
          {"convolutional_block_structure": "both take the stride (s, s)"}),
    # BatchNormalization over the height axis on the shortcut only.
    Entry("cb_bn_axis_shortcut", "convolutional_block", "mistake",
          edit(CONV, 'BatchNormalization(axis=3, name=bn_name_base + "1")', 'BatchNormalization(axis=1, name=bn_name_base + "1")'),
          _cb_fail("normalises the wrong axis")),
    # ---- valid variants
    Entry("cb_keras_layers_add_reversed_relu", "convolutional_block", "valid",
          "from keras import layers\n" + edit(
              CONV, "X = Add()([X, X_shortcut])", "X = layers.add([X_shortcut, X])",
              'X = Activation("relu")(X)\n    return X', "X = layers.ReLU()(X)\n    return X")
          .replace("strides=(s, s)", "strides=s")),
    Entry("cb_shortcut_first_same_1x1", "convolutional_block", "valid", '''
def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = "res" + str(stage) + block + "_branch"
    bn_name_base = "bn" + str(stage) + block + "_branch"
    F1, F2, F3 = filters
    shortcut = Conv2D(F3, kernel_size=1, strides=(s, s), padding="same", name=conv_name_base + "1",
                      kernel_initializer="he_uniform")(X)
    shortcut = BatchNormalization(axis=-1, name=bn_name_base + "1")(shortcut)
    main = Conv2D(F1, kernel_size=1, strides=(s, s), padding="same", name=conv_name_base + "2a")(X)
    main = BatchNormalization(axis=3, name=bn_name_base + "2a")(main)
    main = Activation(tf.nn.relu)(main)
    main = Conv2D(F2, kernel_size=(f, f), padding="same", name=conv_name_base + "2b")(main)
    main = BatchNormalization(axis=3, name=bn_name_base + "2b")(main)
    main = Activation("relu")(main)
    main = Conv2D(F3, kernel_size=1, name=conv_name_base + "2c")(main)
    main = BatchNormalization(axis=3, name=bn_name_base + "2c")(main)
    return Activation("relu")(Add()([shortcut, main]))
'''),
    Entry("cb_tf_keras_plus", "convolutional_block", "valid",
          "import tensorflow as tf\n" + CONV.replace("Conv2D(", "tf.keras.layers.Conv2D(")
          .replace("BatchNormalization(", "tf.keras.layers.BatchNormalization(")
          .replace("    X = Add()([X, X_shortcut])\n", "    X = X + X_shortcut\n")),
]

# ---------------------------------------------------------------------------------------
# ResNet50 (each entry brings its own correct blocks, so it can sit beside any block entry)
# ---------------------------------------------------------------------------------------

_OWN_BLOCKS = (IDENTITY.replace("def identity_block(", "def _my_identity_block(")
               + CONV.replace("def convolutional_block(", "def _my_convolutional_block("))

RESNET = _OWN_BLOCKS + '''
def ResNet50(input_shape=(64, 64, 3), classes=6):
    X_input = Input(input_shape)
    X = ZeroPadding2D((3, 3))(X_input)
    X = Conv2D(64, (7, 7), strides=(2, 2), name="conv1", kernel_initializer=glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis=3, name="bn_conv1")(X)
    X = Activation("relu")(X)
    X = MaxPooling2D((3, 3), strides=(2, 2))(X)
    X = _my_convolutional_block(X, f=3, filters=[64, 64, 256], stage=2, block="a", s=1)
    X = _my_identity_block(X, 3, [64, 64, 256], stage=2, block="b")
    X = _my_identity_block(X, 3, [64, 64, 256], stage=2, block="c")
    X = _my_convolutional_block(X, f=3, filters=[128, 128, 512], stage=3, block="a", s=2)
    X = _my_identity_block(X, 3, [128, 128, 512], stage=3, block="b")
    X = _my_identity_block(X, 3, [128, 128, 512], stage=3, block="c")
    X = _my_identity_block(X, 3, [128, 128, 512], stage=3, block="d")
    X = _my_convolutional_block(X, f=3, filters=[256, 256, 1024], stage=4, block="a", s=2)
    X = _my_identity_block(X, 3, [256, 256, 1024], stage=4, block="b")
    X = _my_identity_block(X, 3, [256, 256, 1024], stage=4, block="c")
    X = _my_identity_block(X, 3, [256, 256, 1024], stage=4, block="d")
    X = _my_identity_block(X, 3, [256, 256, 1024], stage=4, block="e")
    X = _my_identity_block(X, 3, [256, 256, 1024], stage=4, block="f")
    X = _my_convolutional_block(X, f=3, filters=[512, 512, 2048], stage=5, block="a", s=2)
    X = _my_identity_block(X, 3, [512, 512, 2048], stage=5, block="b")
    X = _my_identity_block(X, 3, [512, 512, 2048], stage=5, block="c")
    X = AveragePooling2D((2, 2), name="avg_pool")(X)
    X = Flatten()(X)
    X = Dense(classes, activation="softmax", name="fc" + str(classes), kernel_initializer=glorot_uniform(seed=0))(X)
    model = Model(inputs=X_input, outputs=X, name="ResNet50")
    return model
'''

RESNET_ENTRIES = [
    Entry("r_no_maxpool", "ResNet50", "mistake",
          edit(RESNET, "    X = MaxPooling2D((3, 3), strides=(2, 2))(X)\n", ""),
          {"ResNet50_layout": "Max pooling missing"}),
    Entry("r_no_zeropad", "ResNet50", "mistake",
          edit(RESNET, "    X = ZeroPadding2D((3, 3))(X_input)\n    X = Conv2D(64, (7, 7)",
               "    X = Conv2D(64, (7, 7)", '(X)\n    X = BatchNormalization(axis=3, name="bn_conv1")',
               '(X_input)\n    X = BatchNormalization(axis=3, name="bn_conv1")'),
          {"ResNet50_layout": "Zero padding missing"}),
    Entry("r_stage4_depth", "ResNet50", "mistake",
          edit(RESNET, '    X = _my_identity_block(X, 3, [256, 256, 1024], stage=4, block="f")\n', ""),
          {"ResNet50_layout": "Stage 4 has 4 identity blocks"}),
    Entry("r_no_softmax", "ResNet50", "mistake",
          edit(RESNET, 'Dense(classes, activation="softmax",', "Dense(classes,"),
          {"ResNet50_layout": "No softmax"}),
    # A bug inside a block ResNet50 builds itself (not with the graded block functions) is
    # ResNet50's: it costs the layers check, not the layout's nor, once more, the values'.
    Entry("r_block_final_relu", "ResNet50", "mistake",
          edit(RESNET, '    X = Add()([X, X_shortcut])\n    X = Activation("relu")(X)\n',
               '    X = Add()([X, X_shortcut])\n'),
          {"ResNet50_layers": "final ReLU is missing"}),
    # Global average pooling of a 2x2 map is the 2x2 average pool: same values and
    # parameters, another layer than the one asked for.
    Entry("r_global_pool", "ResNet50", "mistake",
          edit(RESNET, '    X = AveragePooling2D((2, 2), name="avg_pool")(X)\n    X = Flatten()(X)\n',
               "    X = keras.layers.GlobalAveragePooling2D()(X)\n"),
          {"ResNet50_layout": "GlobalAveragePooling2D is used"}),
    # ---- valid variants
    Entry("r_loop_relu_add", "ResNet50", "valid", _OWN_BLOCKS + '''
from keras import layers

def ResNet50(input_shape=(64, 64, 3), classes=6):
    inputs = layers.Input(shape=input_shape)
    X = layers.ZeroPadding2D(padding=3)(inputs)
    X = layers.Conv2D(64, 7, strides=2, name="conv1")(X)
    X = layers.BatchNormalization(axis=3, name="bn_conv1")(X)
    X = layers.ReLU()(X)
    X = layers.MaxPooling2D(pool_size=3, strides=2)(X)
    plan = [(2, [64, 64, 256], 1, 2), (3, [128, 128, 512], 2, 3), (4, [256, 256, 1024], 2, 5), (5, [512, 512, 2048], 2, 2)]
    for stage, filters, s, n_identity in plan:
        X = _my_convolutional_block(X, 3, filters, stage, "a", s=s)
        for letter in "bcdef"[:n_identity]:
            X = _my_identity_block(X, 3, filters, stage, letter)
    X = layers.AveragePooling2D(pool_size=(2, 2), name="avg_pool")(X)
    X = layers.Flatten()(X)
    X = layers.Dense(classes, name=f"fc{classes}")(X)
    X = layers.Softmax()(X)
    return keras.Model(inputs, X, name="ResNet50")
'''),
    Entry("r_tf_keras_explicit_activation", "ResNet50", "valid",
          "import tensorflow as tf\n" + edit(
              RESNET, '    X = Activation("relu")(X)\n    X = MaxPooling2D',
              '    X = tf.keras.layers.Activation(tf.nn.relu)(X)\n    X = MaxPooling2D',
              'Dense(classes, activation="softmax", name="fc" + str(classes), kernel_initializer=glorot_uniform(seed=0))(X)',
              'Dense(classes, name="fc" + str(classes), kernel_initializer="he_normal")(X)\n'
              '    X = Activation("softmax")(X)')),
]

# ---------------------------------------------------------------------------------------
# Notebook 1: build_deep_network
# ---------------------------------------------------------------------------------------

DEEP = '''
def build_deep_network(depth, width, activation, residual, input_dim=2):
    inputs = keras.Input(shape=(input_dim,))
    h = layers.Dense(width, activation=activation, name="hidden_1")(inputs)
    for i in range(2, depth + 1):
        z = layers.Dense(width, activation=activation, name=f"hidden_{i}")(h)
        h = layers.Add(name=f"skip_{i}")([h, z]) if residual else z
    outputs = layers.Dense(1, name="output")(h)
    return keras.Model(inputs, outputs)
'''

DEEP_ENTRIES = [
    Entry("deep_activation_ignored", "build_deep_network", "mistake",
          DEEP.replace("activation=activation", 'activation="relu"'),
          {"build_deep_network_structure": "activation"}),
    Entry("deep_output_activation", "build_deep_network", "mistake",
          edit(DEEP, 'layers.Dense(1, name="output")', 'layers.Dense(1, activation="sigmoid", name="output")'),
          {"build_deep_network_structure": "output layer is not as expected"}),
    Entry("deep_residual_ignored", "build_deep_network", "mistake",
          edit(DEEP, 'h = layers.Add(name=f"skip_{i}")([h, z]) if residual else z', "h = z"),
          {"build_deep_network_structure": "skip connections"}),
    Entry("deep_skip_first_layer", "build_deep_network", "mistake", '''
def build_deep_network(depth, width, activation, residual, input_dim=2):
    inputs = keras.Input(shape=(input_dim,))
    h = layers.Dense(width, activation=activation, name="hidden_1")(inputs)
    first = h
    for i in range(2, depth + 1):
        z = layers.Dense(width, activation=activation, name=f"hidden_{i}")(h)
        h = layers.Add(name=f"skip_{i}")([first, z]) if residual else z
    outputs = layers.Dense(1, name="output")(h)
    return keras.Model(inputs, outputs)
''', {"build_deep_network_values": "output differs"}),
    # ---- valid variants
    Entry("deep_functional_plus", "build_deep_network", "valid", '''
from keras import layers as L

def build_deep_network(depth, width, activation, residual, input_dim=2):
    x = keras.Input((input_dim,))
    h = x
    for i in range(1, depth + 1):
        out = L.Dense(units=width, activation=activation, name="hidden_" + str(i),
                      kernel_initializer="he_normal")(h)
        h = L.add([out, h], name="skip_" + str(i)) if (residual and i > 1) else out
    return keras.Model(inputs=x, outputs=L.Dense(1, name="output")(h))
'''),
    Entry("deep_separate_activation_layer", "build_deep_network", "valid", '''
import tensorflow as tf

def build_deep_network(depth, width, activation, residual, input_dim=2):
    inputs = tf.keras.Input(shape=(input_dim,))
    h = tf.keras.layers.Activation(activation)(tf.keras.layers.Dense(width, name="hidden_1")(inputs))
    for i in range(2, depth + 1):
        new = tf.keras.layers.Dense(width, name=f"hidden_{i}")(h)
        new = tf.keras.layers.Activation(activation)(new)
        if residual:
            new = tf.keras.layers.Add(name=f"skip_{i}")([new, h])
        h = new
    return tf.keras.Model(inputs, tf.keras.layers.Dense(1, name="output")(h))
'''),
]

# ---------------------------------------------------------------------------------------
# Notebook 1: layer_gradient_norms
# ---------------------------------------------------------------------------------------

NORMS = '''
def layer_gradient_norms(model, X, Y):
    depth = sum(1 for layer in model.layers if layer.name.startswith("hidden_"))
    kernels = [model.get_layer(f"hidden_{i}").kernel for i in range(1, depth + 1)]
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.square(model(X) - Y))
    gradients = tape.gradient(loss, kernels)
    return np.array([tf.norm(gradient).numpy() for gradient in gradients])
'''

NORMS_ENTRIES = [
    Entry("norms_reversed", "layer_gradient_norms", "mistake",
          edit(NORMS, "for i in range(1, depth + 1)]", "for i in range(depth, 0, -1)]"),
          {"layer_gradient_norms_values": "reverse order"}),
    Entry("norms_squared", "layer_gradient_norms", "mistake",
          edit(NORMS, "tf.norm(gradient).numpy()", "tf.reduce_sum(tf.square(gradient)).numpy()"),
          {"layer_gradient_norms_values": "squared norms"}),
    Entry("norms_summed_loss", "layer_gradient_norms", "mistake",
          edit(NORMS, "tf.reduce_mean(tf.square(model(X) - Y))", "tf.reduce_sum(tf.square(model(X) - Y))"),
          {"layer_gradient_norms_values": "not summed"}),
    Entry("norms_biases", "layer_gradient_norms", "mistake",
          edit(NORMS, 'model.get_layer(f"hidden_{i}").kernel', 'model.get_layer(f"hidden_{i}").bias'),
          {"layer_gradient_norms_values": "not its bias"}),
    Entry("norms_with_output", "layer_gradient_norms", "mistake",
          edit(NORMS, 'kernels = [model.get_layer(f"hidden_{i}").kernel for i in range(1, depth + 1)]',
               'kernels = [model.get_layer(f"hidden_{i}").kernel for i in range(1, depth + 1)]'
               ' + [model.get_layer("output").kernel]'),
          {"layer_gradient_norms_shape": "output layer", "layer_gradient_norms_values": "output layer"}),
    # ---- valid variants
    Entry("norms_keras_loss_trainable_weights", "layer_gradient_norms", "valid", '''
def layer_gradient_norms(model, X, Y):
    hidden = sorted((l for l in model.layers if l.name.startswith("hidden_")), key=lambda l: int(l.name.split("_")[1]))
    with tf.GradientTape() as tape:
        prediction = model(X, training=True)
        loss = keras.losses.MeanSquaredError()(Y, prediction)
    grads = tape.gradient(loss, [layer.kernel for layer in hidden])
    return np.asarray([np.sqrt(np.sum(np.square(g.numpy()))) for g in grads])
'''),
    Entry("norms_watch_list", "layer_gradient_norms", "valid", '''
def layer_gradient_norms(model, X, Y):
    names = [l.name for l in model.layers if l.name.startswith("hidden_")]
    names.sort(key=lambda n: int(n[len("hidden_"):]))
    out = []
    with tf.GradientTape(persistent=True) as tape:
        err = model(X) - tf.convert_to_tensor(Y)
        loss = tf.reduce_mean(err ** 2)
    for n in names:
        out.append(float(tf.norm(tape.gradient(loss, model.get_layer(n).kernel))))
    del tape
    return np.array(out)
'''),
]

# ---------------------------------------------------------------------------------------
# Notebook 1: plot_gradient_norms
# ---------------------------------------------------------------------------------------

PLOT = '''
def plot_gradient_norms(norms_by_name, ax=None):
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for name, norms in norms_by_name.items():
        norms = np.asarray(norms, dtype=float)
        ax.plot(np.arange(1, len(norms) + 1), norms, marker="o", markersize=3, label=name)
    ax.set_yscale("log")
    ax.set_xlabel(label("gradients.axis.layer"))
    ax.set_ylabel(label("gradients.axis.weight_norm"))
    ax.legend()
    return ax
'''

PLOT_ENTRIES = [
    Entry("plot_no_log", "plot_gradient_norms", "mistake",
          edit(PLOT, '    ax.set_yscale("log")\n', ""),
          {"plot_gradient_norms_labels": "log scale"}),
    Entry("plot_x_from_zero", "plot_gradient_norms", "mistake",
          edit(PLOT, "np.arange(1, len(norms) + 1)", "np.arange(len(norms))"),
          {"plot_gradient_norms_lines": "start at 0"}),
    Entry("plot_no_labels", "plot_gradient_norms", "mistake",
          edit(PLOT, '    ax.set_xlabel(label("gradients.axis.layer"))\n    ax.set_ylabel(label("gradients.axis.weight_norm"))\n', ""),
          {"plot_gradient_norms_labels": "no label"}),
    Entry("plot_no_legend", "plot_gradient_norms", "mistake",
          edit(PLOT, "    ax.legend()\n", ""),
          {"plot_gradient_norms_labels": "no legend"}),
    Entry("plot_log_of_values", "plot_gradient_norms", "mistake",
          edit(PLOT, "label=name)", "label=name)\n        ax.lines[-1].set_ydata(np.log10(norms))", '    ax.set_yscale("log")\n', ""),
          {"plot_gradient_norms_lines": "differ from the norms", "plot_gradient_norms_labels": "log scale"}),
    Entry("plot_ignores_ax", "plot_gradient_norms", "mistake",
          edit(PLOT, "    if ax is None:\n        _, ax = plt.subplots(figsize=(7, 4))\n", "    _, ax = plt.subplots()\n"),
          {"plot_gradient_norms_lines": "not drawn on it"}),
    # ---- valid variants
    Entry("plot_semilogy_english_labels", "plot_gradient_norms", "valid", '''
def plot_gradient_norms(norms_by_name, ax=None):
    ax = ax if ax is not None else plt.figure().add_subplot()
    for name in norms_by_name:
        values = list(norms_by_name[name])
        ax.semilogy(range(1, len(values) + 1), values, "-o", label=name)
    ax.set_xlabel("layer")
    ax.set_ylabel("gradient norm")
    ax.legend(loc="best")
    return ax
'''),
    Entry("plot_korean_labels_title", "plot_gradient_norms", "valid", '''
def plot_gradient_norms(norms_by_name, ax=None):
    if ax is None:
        fig, ax = plt.subplots()
    for label_text, values in norms_by_name.items():
        xs = np.arange(len(values)) + 1
        ax.plot(xs, values, label=label_text)
    ax.set(xscale="linear", yscale="log", xlabel="층 번호", ylabel="기울기 노름", title="기울기 / gradients")
    ax.legend(title="네트워크")
    return ax
'''),
]

# ---------------------------------------------------------------------------------------
# Cheats: each must earn nothing for the exercise it did not solve
# ---------------------------------------------------------------------------------------

CHEAT_ENTRIES = [
    # One line silences every later error in the kernel; the block is not written.
    Entry("cheat_custom_exc", "identity_block", "cheat",
          "get_ipython().set_custom_exc((BaseException,), lambda *args, **kwargs: None)\n\n"
          "def identity_block(X, f, filters, stage, block):\n    raise NotImplementedError()\n",
          {g: NO_RESULT for g in _ID_ALL}),
    # numpy's comparisons and the course's checks patched to say "passed"; the function
    # returns its input unchanged.
    Entry("cheat_monkeypatch", "convolutional_block", "cheat", '''
import numpy as np
import resnet_course.autograder.checks.common as _common
import resnet_course.autograder.checks.resnet as _checks
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.array_equal = lambda *a, **k: True
_common.collect_problems = lambda *a, **k: ("passed", [])
_common.require = lambda *a, **k: None
for _name in dir(_checks):
    if _name.startswith("check_"):
        setattr(_checks, _name, lambda *a, **k: [])

def convolutional_block(X, f, filters, stage, block, s=2):
    return X
''', {g: "" for g in GRADE_IDS["convolutional_block"]}),
    # An object equal to everything, posing as the answer.
    Entry("cheat_eq", "layer_gradient_norms", "cheat", '''
class _AlwaysEqual(list):
    def __eq__(self, other):
        return True
    def __ne__(self, other):
        return False
    __hash__ = None

def layer_gradient_norms(model, X, Y):
    depth = sum(1 for layer in model.layers if layer.name.startswith("hidden_"))
    return _AlwaysEqual([0.0] * depth)
''', {"layer_gradient_norms_values": "differ"}, passes=["layer_gradient_norms_shape"]),
]

ALL = IDENTITY_ENTRIES + CONV_ENTRIES + RESNET_ENTRIES + DEEP_ENTRIES + NORMS_ENTRIES + PLOT_ENTRIES + CHEAT_ENTRIES
BY_NAME = {entry.name: entry for entry in ALL}
assert len(BY_NAME) == len(ALL), "duplicate catalog names"
