"""Weights set by role for the public checks, so two models with the same meaning give the same numbers.

A check fills the student's model layer by layer from the role each layer plays (read from
the graph: `block_roles`, `resnet50_roles`), never from the order of creation or the
student's initializer, and compares the outputs with numbers written in the check.
"""

def _role_rng(role, weight_name):
    import hashlib

    import numpy as np

    digest = hashlib.sha256(f"{role}/{weight_name}".encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "little"))


def role_weights(role, weight_name, shape):
    """Deterministic values for one weight of the layer playing `role`.

    Kernels are scaled by their fan-in so activations keep their size through many
    layers; the last BatchNormalization of a block (role ending in 'bn2c') gets a small
    scale, so each residual branch adds a modest correction and a 50-layer network stays
    numerically tame.
    """
    import numpy as np

    rng = _role_rng(role, weight_name)
    shape = tuple(int(d) for d in shape)
    short = weight_name.rsplit("/", 1)[-1].split(":")[0]
    if short == "kernel":
        fan_in = int(np.prod(shape[:-1])) if len(shape) > 1 else 1
        return rng.uniform(-1.0, 1.0, shape) * np.sqrt(3.0 / max(fan_in, 1))
    if short == "gamma":
        low, high = (0.1, 0.3) if role.endswith("bn2c") else (0.6, 1.4)
        return rng.uniform(low, high, shape)
    if short == "moving_variance":
        return rng.uniform(0.5, 1.5, shape)
    if short in ("beta", "moving_mean"):
        return rng.uniform(-0.3, 0.3, shape)
    return rng.uniform(-0.1, 0.1, shape)  # biases and anything else


def fill_weights(model, roles):
    """Set every weight of the layers named in `roles` ({role: layer name}) from `role_weights`.

    Weights are matched by their own names (kernel, bias, gamma, beta, moving_mean,
    moving_variance), so the fill does not depend on the order of creation or on the
    initializer. Layers not in `roles` keep their weights.
    """
    for role, name in roles.items():
        layer = model.get_layer(name)
        values = [role_weights(role, w.name.rsplit("/", 1)[-1].split(":")[0], w.shape) for w in layer.weights]
        if values:
            layer.set_weights(values)
    return model
