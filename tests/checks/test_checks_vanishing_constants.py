"""The public check of `layer_gradient_norms` compares with literal numbers; this keeps them honest.

`checks/` ships in the package students install, so it must not hold anything that
computes a graded answer: no GradientTape over a model, no builder of the exercise's
network. Its check of `layer_gradient_norms` therefore compares the student's result with
`gradient_norms._NORM_EXPECTED`, numbers written into the module for its fixed public cases. The trusted
computation of those numbers lives here, in tests/ (never shipped): it rebuilds every case
with `fixed_example`, takes the gradients with GradientTape and fails when the constants
drift (a change to `fixed_network`, to a case, or to Keras' numerics).

To regenerate after changing `fixed_network` or `_NORM_CASES`:

    .venv/bin/python tests/checks/test_checks_vanishing_constants.py
"""


import numpy as np
import pytest

RTOL = 1e-4


def compute_norm_constants():
    """{case: {"right", "biases", "broadcast"}}: norms of the MSE gradient, from GradientTape.

    right      kernels of hidden_1 … hidden_depth, loss averaged over the batch
    biases     the same loss, gradients of the hidden biases (the "biases" mistake)
    broadcast  kernels again, loss of model(X) - Y reshaped to (n,): an (n, n) matrix
    """
    import tensorflow as tf

    from resnet_course.autograder.checks import gradient_norms, vanishing as checks

    constants = {}
    for case in gradient_norms._NORM_CASES:
        depth, width, activation, residual, input_dim, n, seed = case
        model, X, Y = checks.fixed_example(depth, width, activation, residual, input_dim=input_dim, n=n, seed=seed)
        hidden = [model.get_layer(f"hidden_{i}") for i in range(1, depth + 1)]
        kernels = [layer.kernel for layer in hidden]
        biases = [layer.bias for layer in hidden]
        with tf.GradientTape(persistent=True) as tape:
            prediction = model(X)
            mean = tf.reduce_mean(tf.square(prediction - Y))
            broadcast = tf.reduce_mean(tf.square(prediction - tf.reshape(Y, [-1])))

        def norms(loss, variables):
            return [float(tf.norm(g)) for g in tape.gradient(loss, variables)]

        constants[case] = {"right": norms(mean, kernels), "biases": norms(mean, biases),
                           "broadcast": norms(broadcast, kernels)}
        del tape
    return constants


@pytest.fixture(scope="module")
def computed():
    return compute_norm_constants()


def test_every_public_case_has_constants():
    from resnet_course.autograder.checks import gradient_norms

    assert set(gradient_norms._NORM_EXPECTED) == set(gradient_norms._NORM_CASES)
    for case, expected in gradient_norms._NORM_EXPECTED.items():
        depth = case[0]
        assert set(expected) == {"right", "biases", "broadcast"}, case
        assert all(len(values) == depth for values in expected.values()), case


def test_norm_constants_match_gradient_tape(computed):
    from resnet_course.autograder.checks import gradient_norms

    for case, values in computed.items():
        for variant, found in values.items():
            stored = gradient_norms._NORM_EXPECTED[case][variant]
            np.testing.assert_allclose(stored, found, rtol=RTOL, atol=0,
                                       err_msg=f"{case} {variant}: regenerate with "
                                               "`.venv/bin/python tests/checks/test_checks_vanishing_constants.py`")


def test_variants_are_told_apart(computed):
    """Every mistake the check names gives numbers far from the right ones on some public case,
    so the check's tolerance (rtol 2e-3) never mistakes one for another."""
    for case, values in computed.items():
        right = np.array(values["right"])
        n = case[5]
        others = {"reversed": right[::-1], "squared": right ** 2, "summed": right * n, "halved": right / 2,
                  "biases": np.array(values["biases"]), "broadcast": np.array(values["broadcast"])}
        for name, other in others.items():
            assert not np.allclose(other, right, rtol=1e-2, atol=1e-7), (case, name)


def test_installed_checks_compute_no_graded_answer():
    """No GradientTape anywhere in the code a student's kernel imports (checks and diagnosis)."""
    from pathlib import Path

    from resnet_course.autograder import checks, diagnosis

    modules = [path for package in (checks, diagnosis) for path in Path(package.__file__).parent.rglob("*.py")]
    assert len(modules) >= 8, modules
    for path in modules:
        source = path.read_text()
        for marker in ("GradientTape(", "tape.gradient", ".gradient(", "_norm_variants", "import tensorflow"):
            assert marker not in source, (path.name, marker)


def test_fixed_network_does_not_answer_build_deep_network():
    """Used as build_deep_network, the bench fails the public check on a residual case (its skip
    connections go around blocks of two layers): it is a bench, not the exercise's answer."""
    from resnet_course.autograder.checks import deep_network, vanishing as checks
    from resnet_course.autograder.checks.common import collect_problems

    def build_deep_network(depth, width, activation, residual, input_dim=2):
        return checks.fixed_network(depth, width, activation, residual, input_dim=input_dim)

    def renamed(depth, width, activation, residual, input_dim=2):
        model = build_deep_network(depth, width, activation, residual, input_dim=input_dim)
        for layer in model.layers:
            if layer.name.startswith("join_"):
                layer.name = "skip_" + layer.name.split("_")[1]
        return model

    for function in (build_deep_network, renamed):
        status, _ = collect_problems("build_deep_network", checks.check_build_deep_network, function)
        assert status == "failed", function.__name__
    # The values differ too (wiring, not names): weights set by role give another output.
    model = renamed(4, 5, "tanh", True, input_dim=2)
    assert deep_network._value_problems(model, 4, 5, "tanh", True, 2)[0][0] == "vanishing.build.values"


def _literal(constants):
    """The dict as Python source for checks/gradient_norms.py, 8 significant digits."""
    lines = ["_NORM_EXPECTED = {  # tests/checks/test_checks_vanishing_constants.py computes and checks these"]
    for case, values in constants.items():
        lines.append(f"    {case!r}: {{")
        for variant in ("right", "biases", "broadcast"):
            numbers = ", ".join(f"{v:.8g}" for v in values[variant])
            lines.append(f'        "{variant}": [{numbers}],')
        lines.append("    },")
    lines.append("}")
    return "\n".join(lines)


if __name__ == "__main__":
    print(_literal(compute_norm_constants()))
