"""The real-styles catalog's block entries: `identity_block` and `convolutional_block`.

Part of tests/judge_catalog/real_styles.py (which says what the entries are and holds the
ResNet50 and notebook 1 entries); kept apart so each file stays short enough to read.
"""

from .catalog import Entry, GRADE_IDS

_ID = GRADE_IDS["identity_block"]
_CB = GRADE_IDS["convolutional_block"]

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
