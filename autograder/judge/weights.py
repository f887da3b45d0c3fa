"""The same deterministic weights for the student's model and the reference's, matched by role.

Fairness: the student's initializer and the order in which layers were created do not
matter. Both models get the *same* numbers, layer by layer matched by the role the layer
plays (the seed's layer names when present, else the graph's topology), with non-trivial
batch-norm statistics; then their outputs are compared on the same inputs.
"""

import zlib
from collections import OrderedDict

import numpy as np

def _seed(*parts):
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def _weight_values(role, kind, shape):
    """The same numbers for the same role, kind and shape, whichever model asks."""
    rng = np.random.default_rng(_seed(role, kind, shape))
    if kind == "kernel":
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else int(shape[0])
        return rng.normal(0.0, np.sqrt(2.0 / max(fan_in, 1)), size=shape)
    if kind == "bias":
        return rng.normal(0.0, 0.1, size=shape)
    if kind == "gamma":
        return rng.uniform(0.7, 1.3, size=shape)
    if kind == "beta":
        return rng.normal(0.0, 0.2, size=shape)
    if kind == "moving_mean":
        return rng.normal(0.0, 0.3, size=shape)
    if kind == "moving_variance":
        return rng.uniform(0.6, 1.6, size=shape)
    return rng.normal(0.0, 0.1, size=shape)


def _kind_of(variable):
    name = getattr(variable, "path", None) or variable.name
    return str(name).split("/")[-1].split(":")[0]


# Drawing ResNet50's 23.6 million numbers takes about 0.4 s and every student asks for the
# same ones: the worker keeps the arrays it made (read-only; set_weights copies them).
_WEIGHTS = OrderedDict()
_WEIGHT_BUDGET_BYTES = 256 * 2**20
_weight_bytes = 0  # what _WEIGHTS holds, kept as it changes (ResNet50 alone has ~700 arrays)


def _weights_for(role, kind, shape, scale):
    global _weight_bytes
    key = (role, kind, shape, scale)
    array = _WEIGHTS.get(key)
    if array is not None:
        _WEIGHTS.move_to_end(key)
        return array
    array = (_weight_values(role, kind, shape) * scale).astype(np.float32)
    array.flags.writeable = False
    _WEIGHTS[key] = array
    _weight_bytes += array.nbytes
    while _weight_bytes > _WEIGHT_BUDGET_BYTES and len(_WEIGHTS) > 1:
        _, dropped = _WEIGHTS.popitem(last=False)
        _weight_bytes -= dropped.nbytes
    return array


def fill_weights(model, roles, scales=None):
    """Set every weight of `model`: layers named in `roles` ({role: layer name}) by role, others by name."""
    by_layer = {name: role for role, name in roles.items()}
    scales = scales or {}
    for layer in model.layers:
        if not layer.weights:
            continue
        role = by_layer.get(layer.name, f"unmatched:{layer.name}")
        values = []
        for variable in layer.weights:
            kind = _kind_of(variable)
            shape = tuple(int(d) for d in variable.shape)
            values.append(_weights_for(role, kind, shape, float(scales.get((role, kind), 1.0))))
        layer.set_weights(values)


def model_input(model, batch=4, seed=0):
    shape = model.inputs[0].shape
    dims = [int(d) if d is not None else 8 for d in shape[1:]]
    return np.random.default_rng(seed).normal(0.0, 1.0, size=[batch, *dims]).astype(np.float32)


def outputs(model, x, training):
    import keras

    values = model(x, training=training)
    if isinstance(values, (list, tuple)):
        values = values[0]
    return np.asarray(keras.ops.convert_to_numpy(values), dtype=np.float64)


def close(found, expected, rtol=1e-4):
    scale = max(1.0, float(np.max(np.abs(expected))) if expected.size else 1.0)
    return bool(np.allclose(found, expected, rtol=rtol, atol=1e-5 * scale))
