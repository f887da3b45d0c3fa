"""The public check of `layer_gradient_norms` (notebook 1): shape, then the norms on fixed benches.

The expected norms are written down in this module (`_NORM_EXPECTED`), not computed: it ships
to students, so nothing in it may compute a graded answer for an arbitrary model.
tests/checks/test_checks_vanishing_constants.py recomputes them with GradientTape on the same
benches and fails when they drift. The usual mistakes leave fingerprints that are named
(reversed, squared, summed, halved, the biases, a broadcast loss).
"""

import numpy as np
from resnet_course.utils.messages import register

from .common import unique, with_case  # common also registers check.returns_none, returned here
from .gradient_benches import fixed_example

register({
    "vanishing.norms.not_array": {
        "ko": "numpy 배열을 반환해야 하는데 {found} 값을 반환합니다. 결과를 `np.array([...])` 안에 넣어 배열로 만드세요.",
        "en": "It should return a numpy array but returns {found}. Wrap it: `np.array([...])`.",
    },
    "vanishing.norms.not_numbers": {
        "ko": "반환한 값을 숫자 배열로 바꿀 수 없습니다: {error}",
        "en": "The result cannot be turned into an array of numbers: {error}",
    },
    "vanishing.norms.shape": {
        "ko": "모양이 {found}입니다. 은닉층마다 숫자 하나, ({depth},)이어야 합니다.",
        "en": "The shape is {found}; it must be one number per hidden layer, ({depth},).",
    },
    "vanishing.norms.with_output": {
        "ko": "값이 {found}개로 하나 많습니다. `output` 층은 빼고 hidden_1 … hidden_{depth}만 잽니다.",
        "en": "There are {found} values, one too many: leave out the `output` layer, measure hidden_1 … hidden_{depth} only.",
    },
    "vanishing.norms.with_bias": {
        "ko": "값이 {found}개로 두 배입니다. 편향은 빼고 커널(`layer.kernel`)의 기울기만 잽니다.",
        "en": "There are {found} values, twice too many: leave out the biases, measure the kernels (`layer.kernel`) only.",
    },
    "vanishing.norms.reversed": {
        "ko": "노름이 출력에서 입력 쪽 순서로 나옵니다. hidden_1이 맨 앞이어야 합니다.",
        "en": "The norms are in output-to-input order; hidden_1 must come first.",
    },
    "vanishing.norms.squared": {
        "ko": "값이 노름의 제곱처럼 보입니다. 제곱합에 제곱근을 씌우세요(`tf.norm`).",
        "en": "The values look squared: take the square root of the sum of squares (`tf.norm`).",
    },
    "vanishing.norms.summed": {
        "ko": "값이 {n}배 큽니다. 손실을 배치에 대해 더했습니다. 평균을 내세요(`tf.reduce_mean`).",
        "en": "The values are {n} times too large: the loss is summed rather than averaged over the batch (`tf.reduce_mean`).",
    },
    "vanishing.norms.halved": {
        "ko": "값이 절반입니다. 손실에 1/2을 곱하지 말고 평균 제곱 오차 그대로 쓰세요.",
        "en": "The values are halved: use the plain mean squared error, without a factor 1/2.",
    },
    "vanishing.norms.biases": {
        "ko": "편향의 기울기 노름처럼 보입니다. 커널, 즉 가중치 행렬(`layer.kernel`)의 기울기를 재세요.",
        "en": "These look like the biases' gradient norms; measure the kernel, the weight matrix (`layer.kernel`).",
    },
    "vanishing.norms.broadcast": {
        "ko": "손실이 (n, n) 행렬로 브로드캐스팅된 것 같습니다. `model(X)` 출력과 `Y` 값의 모양을 둘 다 (n, 1)로 맞추세요.",
        "en": "The loss seems to broadcast to an (n, n) matrix: make `model(X)` and `Y` both shape (n, 1).",
    },
    "vanishing.norms.values": {
        "ko": "값이 기대하는 기울기 노름과 다릅니다 (깊이 depth={depth}, 잔차 residual={residual}). hidden_1 층: 기대값 "
              "{expected:.4g}, 받은 값 {found:.4g}. 이 테스트는 가중치와 입력을 고정한 자체 네트워크를 씁니다. 다음을 확인하세요: 손실이 평균 제곱 오차이고 "
              "`tf.GradientTape` 블록 안에서 계산되는지, 기울기가 각 은닉층의 `layer.kernel`에 대한 것인지, 노름이 제곱이나 제곱근이 아닌 "
              "`tf.norm(grad)` 값인지, 값이 `hidden_1`부터 차례대로인지.",
        "en": "The values differ from the expected gradient norms (depth={depth}, residual={residual}). "
              "hidden_1: expected {expected:.4g}, got {found:.4g}. The test uses its own network with fixed "
              "weights and inputs. Check that the loss is the mean squared error computed inside the "
              "`tf.GradientTape` block, that the gradients are taken with respect to each hidden layer's "
              "`layer.kernel`, that each norm is `tf.norm(grad)` itself (not squared, no square root), and "
              "that the order starts at `hidden_1`.",
    },
})


_NORM_CASES = (  # depth, width, activation, residual, input_dim, n, seed
    (5, 4, "sigmoid", False, 2, 16, 3),
    (4, 6, "tanh", True, 3, 8, 4),
)


# What a correct layer_gradient_norms returns on the public cases, and what two common mistakes
# return: the biases' norms, and the kernels' norms when Y is flattened so the loss broadcasts
# to an (n, n) matrix (reversed, squared, summed and halved follow from "right").
# Written down, not computed: this module ships to students, so nothing in it may compute a
# graded answer. tests/checks/test_checks_vanishing_constants.py recomputes them with GradientTape
# on the same `fixed_example` networks and fails when they drift.
_NORM_EXPECTED = {
    (5, 4, "sigmoid", False, 2, 16, 3): {
        "right": [0.00039989685, 0.0013899059, 0.0097674318, 0.035975691, 0.13640888],
        "biases": [0.00017947241, 0.0011047493, 0.0082853427, 0.036554739, 0.15222558],
        "broadcast": [7.7272583e-05, 0.0011495483, 0.009243709, 0.035681598, 0.13648051],
    },
    (4, 6, "tanh", True, 3, 8, 4): {
        "right": [1.3541396, 0.86120296, 0.79925948, 2.0875311],
        "biases": [0.30484709, 0.26149604, 0.3938089, 0.61655259],
        "broadcast": [0.49507055, 0.33164129, 0.36041814, 1.0981241],
    },
}


def _case_problems(layer_gradient_norms, case):
    """The problems of one public case (the usual mistakes named by their fingerprints)."""
    depth, width, activation, residual, input_dim, n, seed = case
    model, X, Y = fixed_example(depth, width, activation, residual, input_dim=input_dim, n=n, seed=seed)
    result = layer_gradient_norms(model, X, Y)
    if result is None:
        return [("check.returns_none", {})]
    problems = []
    if not isinstance(result, np.ndarray):
        problems.append(("vanishing.norms.not_array", {"found": type(result).__name__}))
    try:
        values = np.array(result, dtype=np.float64)
    except Exception as error:  # a list of tensors of odd shapes, strings...
        return problems + [("vanishing.norms.not_numbers", {"error": f"{type(error).__name__}: {error}"})]
    if values.shape != (depth,):
        size = values.size
        if values.ndim == 1 and size == depth + 1:
            return problems + [("vanishing.norms.with_output", {"found": size, "depth": depth})]
        if values.ndim == 1 and size in (2 * depth, 2 * depth + 2):
            return problems + [("vanishing.norms.with_bias", {"found": size})]
        return problems + [("vanishing.norms.shape", {"found": values.shape, "depth": depth})]
    variants = {name: np.array(numbers, dtype=np.float64) for name, numbers in _NORM_EXPECTED[case].items()}
    right = variants["right"]
    close = lambda other: np.allclose(values, other, rtol=2e-3, atol=1e-7)  # noqa: E731
    if close(right):
        return problems
    for key, other in (("vanishing.norms.reversed", right[::-1]), ("vanishing.norms.squared", right ** 2),
                       ("vanishing.norms.summed", right * n), ("vanishing.norms.halved", right / 2),
                       ("vanishing.norms.biases", variants["biases"]),
                       ("vanishing.norms.broadcast", variants["broadcast"])):
        if close(other):
            return problems + [(key, {"n": n})]
    return problems + [("vanishing.norms.values", {"depth": depth, "residual": residual,
                                                   "expected": float(right[0]), "found": float(values[0])})]


def check_layer_gradient_norms(layer_gradient_norms):
    """Shape first, then values against the written-down norms of fixed networks; names the usual mistakes.

    Every public case is tried; each problem is marked with the case's own network.
    """
    found = []
    for case in _NORM_CASES:
        problems = _case_problems(layer_gradient_norms, case)
        if problems == [("check.returns_none", {})]:
            return problems
        depth, width, activation, residual, input_dim, n, seed = case
        found += with_case(problems, depth=depth, width=width, activation=activation, residual=residual,
                           input_dim=input_dim, n=n)
    return unique(found)
