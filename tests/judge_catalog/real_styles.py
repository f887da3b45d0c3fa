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

from .catalog import NO_RESULT, Entry, GRADE_IDS

_ID = GRADE_IDS["identity_block"]
_CB = GRADE_IDS["convolutional_block"]
_RN = GRADE_IDS["ResNet50"]

# ---------------------------------------------------------------------------------------
# identity_block
# ---------------------------------------------------------------------------------------

IDENTITY_STYLES = [
    # The original template filled in, Keras 2 keyword spacing and all.
    Entry("rs_id_template_spacing", "identity_block", "valid", '''
def identity_block(X, f, filters, stage, block):
    """
    Implementation of the identity block
    """
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(filters = F1, kernel_size = (1, 1), strides = (1,1), padding = 'valid', name = conv_name_base + '2a', kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2a')(X)
    X = Activation('relu')(X)

    X = Conv2D(filters = F2, kernel_size = (f, f), strides = (1,1), padding = 'same', name = conv_name_base + '2b', kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2b')(X)
    X = Activation('relu')(X)

    X = Conv2D(filters = F3, kernel_size = (1, 1), strides = (1,1), padding = 'valid', name = conv_name_base + '2c', kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2c')(X)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X
''', score=10),
    # `layers` from the template's import cell, never imported in the answer cell.
    Entry("rs_id_layers_namespace", "identity_block", "valid", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = "res" + str(stage) + block + "_branch"
    bn_name_base = "bn" + str(stage) + block + "_branch"
    F1, F2, F3 = filters
    X_shortcut = X
    X = layers.Conv2D(F1, 1, name=conv_name_base + "2a", kernel_initializer=random_uniform(seed=1))(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2a")(X)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F2, f, padding="same", name=conv_name_base + "2b", kernel_initializer=random_uniform(seed=1))(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2b")(X)
    X = layers.Activation("relu")(X)
    X = layers.Conv2D(F3, 1, name=conv_name_base + "2c", kernel_initializer=random_uniform(seed=1))(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2c")(X)
    X = layers.add([X, X_shortcut])
    return layers.Activation("relu")(X)
''', score=10),
    # Upper-case padding strings, int strides, the shortcut first in the add, debug prints,
    # a doubled assignment.
    Entry("rs_id_upper_padding_prints", "identity_block", "valid", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    print("input", X.shape)
    X = Conv2D(F1, (1, 1), strides=1, padding='VALID', name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), strides=1, padding='SAME', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    print("after 2b", X.shape)
    X = Conv2D(F3, (1, 1), strides=1, padding='VALID', name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X = Add()([X_shortcut, X])
    X = Activation('relu')(X)
    print("output", X.shape)
    return X
''', score=10),
    # A `+` between tensors and a ReLU layer, names built with % formatting.
    Entry("rs_id_plus_percent_names", "identity_block", "valid", '''
from keras.layers import ReLU

def identity_block(X, f, filters, stage, block):
    n1, n2, n3 = filters
    base = "%d%s_branch" % (stage, block)
    skip = X
    out = Conv2D(n1, (1, 1), name="res%s2a" % base)(X)
    out = ReLU()(BatchNormalization(axis=-1, name="bn%s2a" % base)(out))
    out = Conv2D(n2, (f, f), padding="same", name="res%s2b" % base)(out)
    out = ReLU()(BatchNormalization(axis=-1, name="bn%s2b" % base)(out))
    out = Conv2D(n3, (1, 1), name="res%s2c" % base)(out)
    out = BatchNormalization(axis=-1, name="bn%s2c" % base)(out)
    return ReLU()(out + skip)
''', score=10),
    # The template cell kept (with its raise) and a complete function pasted below it.
    Entry("rs_id_second_def_below", "identity_block", "valid", '''
def identity_block(X, f, filters, stage, block):
    """template"""
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    # YOUR CODE HERE
    raise NotImplementedError()


def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X = Add()([X, X_shortcut])
    return Activation('relu')(X)
''', score=10),
    # A complete def pasted inside the template's body, and called.
    Entry("rs_id_def_inside_template", "identity_block", "valid", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'

    def identity_block(X, f, filters, stage, block):
        F1, F2, F3 = filters
        X_shortcut = X
        X = Conv2D(F1, (1, 1), padding='valid', name=conv_name_base + '2a')(X)
        X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
        X = Activation('relu')(X)
        X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2b')(X)
        X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
        X = Activation('relu')(X)
        X = Conv2D(F3, (1, 1), padding='valid', name=conv_name_base + '2c')(X)
        X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
        X = Add()([X, X_shortcut])
        X = Activation('relu')(X)
        return X

    return identity_block(X, f, filters, stage, block)
''', score=10),
    # The TF2 edition's block, stage and block added to its signature; no layer names.
    Entry("rs_id_tf2_no_names", "identity_block", "names", '''
def identity_block(X, f, filters, stage, block, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(filters = F1, kernel_size = 1, strides = (1,1), padding = 'valid', kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X)
    X = Activation('relu')(X)
    X = Conv2D(filters = F2, kernel_size = f, strides = (1,1), padding = 'same', kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X)
    X = Activation('relu')(X)
    X = Conv2D(filters = F3, kernel_size = 1, strides = (1,1), padding = 'valid', kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X)
    X = Add()([X_shortcut, X])
    X = Activation('relu')(X)
    return X
''', {"identity_block_names": "layer names differ from the naming convention"}, score=9),
    # '2a' pasted three times: Keras refuses two layers with one name; only the names check may charge it.
    Entry("rs_id_names_pasted_2a", "identity_block", "names", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Add()([X, X_shortcut])
    return Activation('relu')(X)
''', {"identity_block_names": "res2b_branch2b ≠ res2b_branch2a_2"}, score=9),
    # ---- Keras 2 and TF2 habits: refused by Keras 3, named
    Entry("rs_id_k2_init_keyword", "identity_block", "habit", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), name=conv_name_base + '2a', init='glorot_uniform')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2b', init='glorot_uniform')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c', init='glorot_uniform')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X = Add()([X, X_shortcut])
    return Activation('relu')(X)
''', {g: "`init` is a Keras 2 argument" for g in _ID}, score=0),
    Entry("rs_id_k1_merge_sum", "identity_block", "habit", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X = merge([X, X_shortcut], mode='sum')
    return Activation('relu')(X)
''', {g: "no `keras.layers.merge` module" for g in _ID}, score=0),
    # The import fails when the answer cell runs: the function is never defined.
    Entry("rs_id_k2_merge_module", "identity_block", "habit", '''
from keras.layers.merge import add

def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    return Activation('relu')(add([X, X_shortcut]))
''', {g: "no `keras.layers.merge` module" for g in _ID}, score=0),
    Entry("rs_id_k2_learning_phase", "identity_block", "habit", '''
K.set_learning_phase(1)

def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    return Activation('relu')(Add()([X, X_shortcut]))
''', {g: "no `K.set_learning_phase`" for g in _ID}, score=0),
    # The TF2 edition's block pasted whole: no stage or block parameters.
    Entry("rs_id_tf2_signature", "identity_block", "habit", '''
def identity_block(X, f, filters, training=True, initializer=random_uniform):
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(filters = F1, kernel_size = 1, strides = (1,1), padding = 'valid', kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training = training)
    X = Activation('relu')(X)
    X = Conv2D(filters = F2, kernel_size = f, strides = (1,1), padding = 'same', kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training = training)
    X = Activation('relu')(X)
    X = Conv2D(filters = F3, kernel_size = 1, strides = (1,1), padding = 'valid', kernel_initializer = initializer(seed=0))(X)
    X = BatchNormalization(axis = 3)(X, training = training)
    X = Add()([X_shortcut, X])
    X = Activation('relu')(X)
    return X
''', {g: "takes `stage` and `block`" for g in _ID}, score=0),
    Entry("rs_id_tf_function_relu", "identity_block", "habit", '''
import tensorflow as tf

def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), name=conv_name_base + '2a')(X)
    X = tf.nn.relu(BatchNormalization(axis=3, name=bn_name_base + '2a')(X))
    X = Conv2D(F2, (f, f), padding='same', name=conv_name_base + '2b')(X)
    X = tf.nn.relu(BatchNormalization(axis=3, name=bn_name_base + '2b')(X))
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    return tf.nn.relu(X + X_shortcut)
''', {g: "cannot go through a TensorFlow function" for g in _ID}, score=0),
    # ---- real mistakes, each charged once
    Entry("rs_id_no_final_relu_template", "identity_block", "mistake", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(filters = F1, kernel_size = (1, 1), strides = (1,1), padding = 'valid', name = conv_name_base + '2a')(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(filters = F2, kernel_size = (f, f), strides = (1,1), padding = 'same', name = conv_name_base + '2b')(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(filters = F3, kernel_size = (1, 1), strides = (1,1), padding = 'valid', name = conv_name_base + '2c')(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2c')(X)
    X = Add()([X, X_shortcut])
    return X
''', {"identity_block_structure": "final ReLU is missing"}, score=7),
    Entry("rs_id_relu_then_add", "identity_block", "mistake", '''
def identity_block(X, f, filters, stage, block):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    for n, k, part in ((F1, 1, '2a'), (F2, f, '2b'), (F3, 1, '2c')):
        X = Conv2D(n, (k, k), padding='same' if k > 1 else 'valid', name=conv_name_base + part)(X)
        X = BatchNormalization(axis=3, name=bn_name_base + part)(X)
        X = Activation('relu')(X)
    return Add()([X, X_shortcut])
''', {"identity_block_values": "ReLU is applied before the add"}, score=7),
]

# ---------------------------------------------------------------------------------------
# convolutional_block
# ---------------------------------------------------------------------------------------

_CONV_TEMPLATE = '''
def convolutional_block(X, f, filters, stage, block, s = 2):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X

    X = Conv2D(F1, (1, 1), strides = (s,s), name = conv_name_base + '2a', kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2a')(X)
    X = Activation('relu')(X)

    X = Conv2D(F2, (f, f), strides = (1,1), padding = 'same', name = conv_name_base + '2b', kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2b')(X)
    X = Activation('relu')(X)

    X = Conv2D(F3, (1, 1), strides = (1,1), name = conv_name_base + '2c', kernel_initializer = glorot_uniform(seed=0))(X)
    X = BatchNormalization(axis = 3, name = bn_name_base + '2c')(X)

    X_shortcut = Conv2D(F3, (1, 1), strides = (s,s), padding = 'valid', name = conv_name_base + '1', kernel_initializer = glorot_uniform(seed=0))(X_shortcut)
    X_shortcut = BatchNormalization(axis = 3, name = bn_name_base + '1')(X_shortcut)

    X = Add()([X, X_shortcut])
    X = Activation('relu')(X)
    return X
'''


def _shortcut_named(suffix):
    return _CONV_TEMPLATE.replace("name = conv_name_base + '1'", f"name = conv_name_base + '{suffix}'").replace(
        "name = bn_name_base + '1'", f"name = bn_name_base + '{suffix}'")


CONV_STYLES = [
    Entry("rs_cb_template_spacing", "convolutional_block", "valid", _CONV_TEMPLATE, score=10),
    # Shortcut first, `layers.add` from the namespace, int strides, 'SAME' padding.
    Entry("rs_cb_shortcut_first_layers", "convolutional_block", "valid", '''
def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = "res" + str(stage) + block + "_branch"
    bn_name_base = "bn" + str(stage) + block + "_branch"
    F1, F2, F3 = filters
    shortcut = layers.Conv2D(F3, 1, strides=s, name=conv_name_base + "1")(X)
    shortcut = layers.BatchNormalization(axis=3, name=bn_name_base + "1")(shortcut)
    X = layers.Conv2D(F1, 1, strides=s, name=conv_name_base + "2a")(X)
    X = layers.Activation("relu")(layers.BatchNormalization(axis=3, name=bn_name_base + "2a")(X))
    X = layers.Conv2D(F2, f, padding="SAME", name=conv_name_base + "2b")(X)
    X = layers.Activation("relu")(layers.BatchNormalization(axis=3, name=bn_name_base + "2b")(X))
    X = layers.Conv2D(F3, 1, name=conv_name_base + "2c")(X)
    X = layers.BatchNormalization(axis=3, name=bn_name_base + "2c")(X)
    return layers.Activation("relu")(layers.add([shortcut, X]))
''', score=10),
    # ---- naming slips of the shortcut: only the names point
    Entry("rs_cb_name_branch2d", "convolutional_block", "names", _shortcut_named("2d"),
          {"convolutional_block_names": "res3a_branch1 ≠ res3a_branch2d"}, score=9),
    Entry("rs_cb_name_branchI", "convolutional_block", "names", _shortcut_named("I"),
          {"convolutional_block_names": "res3a_branch1 ≠ res3a_branchI"}, score=9),
    Entry("rs_cb_name_branchl", "convolutional_block", "names", _shortcut_named("l"),
          {"convolutional_block_names": "bn3a_branch1 ≠ bn3a_branchl"}, score=9),
    Entry("rs_cb_name_branch1a", "convolutional_block", "names", _shortcut_named("1a"),
          {"convolutional_block_names": "res3a_branch1 ≠ res3a_branch1a"}, score=9),
    # ---- a wrong default: `s=1` where the interface says 2
    Entry("rs_cb_default_stride_1", "convolutional_block", "mistake",
          _CONV_TEMPLATE.replace("stage, block, s = 2):", "stage, block, s = 1):"),
          {"convolutional_block_structure": "has stride 1; it needs `strides=(s, s)`, here 2"}, score=7),
    # ---- Keras 2 habits
    Entry("rs_cb_k2_subsample_border_mode", "convolutional_block", "habit", '''
def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), subsample=(s, s), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(F2, (f, f), border_mode='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X_shortcut = Conv2D(F3, (1, 1), subsample=(s, s), name=conv_name_base + '1')(X_shortcut)
    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + '1')(X_shortcut)
    return Activation('relu')(Add()([X, X_shortcut]))
''', {g: "`subsample` is a Keras 2 argument" for g in _CB}, score=0),
    Entry("rs_cb_k2_nb_filter", "convolutional_block", "habit", '''
def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(nb_filter=F1, nb_row=1, nb_col=1, strides=(s, s), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Conv2D(nb_filter=F2, nb_row=f, nb_col=f, padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(nb_filter=F3, nb_row=1, nb_col=1, name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X_shortcut = Conv2D(nb_filter=F3, nb_row=1, nb_col=1, strides=(s, s), name=conv_name_base + '1')(X_shortcut)
    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + '1')(X_shortcut)
    return Activation('relu')(Add()([X, X_shortcut]))
''', {g: "takes the number of filters and the kernel size as its first two arguments" for g in _CB}, score=0),
    # Keras 2's Convolution2D(filters, rows, cols): in Keras 3 the third number is the stride.
    Entry("rs_cb_k2_positional_kernel", "convolutional_block", "habit", '''
from keras.layers import Convolution2D

def convolutional_block(X, f, filters, stage, block, s=2):
    conv_name_base = 'res' + str(stage) + block + '_branch'
    bn_name_base = 'bn' + str(stage) + block + '_branch'
    F1, F2, F3 = filters
    X_shortcut = X
    X = Conv2D(F1, (1, 1), strides=(s, s), name=conv_name_base + '2a')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2a')(X)
    X = Activation('relu')(X)
    X = Convolution2D(F2, f, f, padding='same', name=conv_name_base + '2b')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2b')(X)
    X = Activation('relu')(X)
    X = Conv2D(F3, (1, 1), name=conv_name_base + '2c')(X)
    X = BatchNormalization(axis=3, name=bn_name_base + '2c')(X)
    X_shortcut = Conv2D(F3, (1, 1), strides=(s, s), name=conv_name_base + '1')(X_shortcut)
    X_shortcut = BatchNormalization(axis=3, name=bn_name_base + '1')(X_shortcut)
    return Activation('relu')(Add()([X, X_shortcut]))
''', {"convolutional_block_structure": "the third positional argument is the stride"}, score=7),
    # The TF2 edition's mode parameter kept: BatchNormalization called with training=True.
    Entry("rs_cb_tf2_training_param", "convolutional_block", "mistake",
          _CONV_TEMPLATE.replace("stage, block, s = 2):", "stage, block, s = 2, training = True):")
          .replace("name = bn_name_base + '2a')(X)", "name = bn_name_base + '2a')(X, training = training)"),
          {"convolutional_block_structure": "training=True"}, score=7),
]

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
