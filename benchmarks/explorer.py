"""How fast the gradient-decay explorer answers a control change at depth 50.

    python benchmarks/explorer.py [--updates 40] [--depth 50]

Prints the median update latency (numpy forward/backward for the network and its twin,
redraw, PNG for the Output widget) as `median … ms`, split into compute and drawing, and a
baseline in the same run: the same per-layer norms from a freshly built Keras model with
tf.GradientTape, which is what a slider would cost without the numpy version. The machine
is shared: the load average printed first says how much to trust the numbers.
"""

import argparse
import os
import statistics
import time

import resnet_course.utils  # noqa: F401  (quiet TensorFlow before anything imports it)


def _control_changes(depth):
    """A realistic session: every control moved, each change at depth `depth`."""
    changes = []
    for activation, init in (("tanh", "glorot"), ("relu", "he"), ("sigmoid", "small"), ("sigmoid", "glorot")):
        changes += [("activation", activation), ("init", init), ("residual", True), ("batch_norm", True),
                    ("measure", "weights"), ("residual", False), ("batch_norm", False), ("measure", "inputs"),
                    ("width", 48), ("width", 32), ("depth", depth - 1), ("depth", depth)]
    return changes


def explorer_latency(depth, updates):
    from resnet_course.utils import gradients
    from resnet_course.utils.widgets import GradientExplorer

    explorer = GradientExplorer(depth=depth)
    explorer.update()  # warm caches (weights, fonts) as a student's first look would
    totals, cpus, computes = [], [], []
    for name, value in _control_changes(depth)[:updates]:
        control = explorer.controls[name]
        if control.value == value:
            continue
        start = time.perf_counter()
        control.value = value  # the observer redraws synchronously
        totals.append((time.perf_counter() - start) * 1000)
        cpus.append(explorer.last_update_cpu_ms)
        spec = explorer.spec()
        start = time.perf_counter()
        gradients.gradient_profile(spec), gradients.gradient_profile(spec.twin())
        computes.append((time.perf_counter() - start) * 1000)
    return totals, cpus, computes


def keras_baseline(depth, repeats):
    """The same norms (weights measure) from Keras + GradientTape, model rebuilt per change."""
    import numpy as np
    import keras
    import tensorflow as tf

    from resnet_course.utils import gradients

    def once(spec):
        X, targets, weights, head = gradients._fixed_parameters(spec.depth, spec.width, spec.init,
                                                                spec.batch, spec.seed)
        inputs = keras.Input(shape=(spec.width,))
        h = inputs
        for i in range(1, spec.depth + 1):
            z = keras.layers.Dense(spec.width, activation=spec.activation, use_bias=False, name=f"hidden_{i}")(h)
            h = keras.layers.Add()([h, z]) if spec.residual and i > 1 else z
        model = keras.Model(inputs, keras.layers.Dense(1, use_bias=False, name="output")(h))
        for i, W in enumerate(weights, start=1):
            model.get_layer(f"hidden_{i}").set_weights([W])
        model.get_layer("output").set_weights([head])
        kernels = [model.get_layer(f"hidden_{i}").kernel for i in range(1, spec.depth + 1)]
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(X.astype("float32")) - targets.astype("float32")))
        return np.array([float(tf.norm(g)) for g in tape.gradient(loss, kernels)])

    times = []
    for k in range(repeats):
        spec = gradients.NetworkSpec(depth=depth, width=32, activation=("sigmoid", "tanh", "relu")[k % 3])
        start = time.perf_counter()
        once(spec), once(spec.twin())
        times.append((time.perf_counter() - start) * 1000)
    check = gradients.gradient_profile(spec.twin()).weights
    agreement = float(np.max(np.abs(once(spec.twin()) / check - 1)))
    return times, agreement


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--depth", type=int, default=50, help="network depth to measure at (default 50)")
    parser.add_argument("--updates", type=int, default=40, help="control changes to time (default 40)")
    parser.add_argument("--baseline-repeats", type=int, default=5, help="Keras rebuilds to time (default 5)")
    args = parser.parse_args(argv)

    print(f"cpus {os.cpu_count()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())} (shared machine: noisy)")
    totals, cpus, computes = explorer_latency(args.depth, args.updates)
    median = statistics.median(totals)
    print(f"explorer at depth {args.depth}: median {median:.1f} ms per update "
          f"(p90 {sorted(totals)[int(0.9 * (len(totals) - 1))]:.1f} ms, {len(totals)} updates; "
          f"numpy compute median {statistics.median(computes):.1f} ms, the rest is drawing)")
    print(f"  CPU time of this process per update: median {statistics.median(cpus):.1f} ms "
          f"(what an idle core would take; wall time above includes waiting for the other jobs)")
    base, agreement = keras_baseline(args.depth, args.baseline_repeats)
    base_median = statistics.median(base)
    print(f"baseline Keras + GradientTape, model rebuilt: median {base_median:.1f} ms per update "
          f"(max relative difference from numpy {agreement:.1e})")
    print(f"ratio baseline / explorer: {base_median / median:.1f}x")
    cpu_median = statistics.median(cpus)
    print(f"budget 100 ms: wall median {'met' if median <= 100 else 'NOT met'} at load {os.getloadavg()[0]:.1f}; "
          f"CPU-time median {'met' if cpu_median <= 100 else 'NOT met'} ({cpu_median:.0f} ms)")


if __name__ == "__main__":
    main()
