"""Test benches for `layer_gradient_norms`: fixed networks with fixed weights, and their data.

The public check and the hidden test cells measure a student's `layer_gradient_norms` on
these networks, never on the student's own `build_deep_network`, so one unfinished exercise
never blocks the check of another.
"""

import numpy as np


def fixed_network(depth, width, activation, residual, input_dim=2, seed=0):
    """A test bench for layer_gradient_norms: plain Keras, fixed weights, the exercise's layer names.

    The hidden Dense layers are `hidden_1` … `hidden_{depth}` and the last layer is `output`,
    so layer_gradient_norms finds what it looks for. It is not the network build_deep_network
    asks for, on purpose, so it answers nothing: the activations sit in layers of their own,
    and a residual bench adds its skip connections around blocks of two hidden layers,
    h ← h + act(W₂ act(W₁ h)) like a ResNet basic block (`join_i` after every second layer
    from hidden_3 on, and after hidden_{depth} when a single layer is left), not around
    each layer. That is wiring: renaming layers or slicing the model cannot turn it into the
    exercise's network. Weights come from numpy's seeded generator (Glorot-scaled normal
    kernels, small biases), so every kernel, on every machine, gets the same numbers.
    """
    import keras

    def hidden(i, signal):
        signal = keras.layers.Dense(width, name=f"hidden_{i}")(signal)
        return keras.layers.Activation(activation, name=f"act_{i}")(signal)

    rng = np.random.default_rng(seed)
    inputs = keras.Input(shape=(input_dim,))
    signal = hidden(1, inputs)
    i = 2
    while i <= depth:
        block = [i, i + 1] if residual and i < depth else [i]
        branch = signal
        for j in block:
            branch = hidden(j, branch)
        signal = keras.layers.Add(name=f"join_{block[-1]}")([signal, branch]) if residual else branch
        i += len(block)
    model = keras.Model(inputs, keras.layers.Dense(1, name="output")(signal))
    for name in [f"hidden_{i}" for i in range(1, depth + 1)] + ["output"]:
        layer = model.get_layer(name)
        fan_in, fan_out = layer.kernel.shape
        kernel = rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), (fan_in, fan_out))
        layer.set_weights([kernel.astype("float32"), rng.normal(0.0, 0.1, fan_out).astype("float32")])
    return model


def fixed_example(depth, width, activation, residual, input_dim=2, n=16, seed=0):
    """(model, X, Y): a fixed network, an input batch of shape (n, input_dim), targets (n, 1)."""
    model = fixed_network(depth, width, activation, residual, input_dim=input_dim, seed=seed)
    rng = np.random.default_rng(seed + 1000)
    X = rng.normal(size=(n, input_dim)).astype("float32")
    Y = rng.normal(size=(n, 1)).astype("float32")
    return model, X, Y
