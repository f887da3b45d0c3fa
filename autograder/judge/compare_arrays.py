"""Comparing arrays a student's function returned (notebook 1: `layer_gradient_norms`).

The hidden test cell runs the student's function on a network and inputs it builds
deterministically and exports the result (`export_array`), one file per case. The
reference run exports the solution's result under the same case names. A wrong array is
not just "different": the usual mistakes leave fingerprints that this module recognises
and names — the layers in output-to-input order, squared norms, a loss summed over the
batch instead of averaged (every norm scaled by the same factor), norms of the bias
gradients or of the gradients with respect to the layer inputs (when the reference run
exported those as `<case>__bias.npy` / `<case>__inputs.npy`, computed by trusted code).
"""

import numpy as np

from resnet_course.utils.messages import register

from .comparator import ArtifactError, Verdict, ordered_cases

register({
    "arrays.case_missing": {
        "ko": "테스트 입력 {case}에 대한 결과가 채점기에 전달되지 않았습니다. 함수가 그 입력에서 오류를 내는지 확인하세요.",
        "en": "No result reached the grader for test input {case}. Check whether your function raises on it.",
    },
    "arrays.shape": {
        "ko": "{case}: 결과의 모양이 {found}입니다. 기대하는 모양은 {expected}입니다(은닉층마다 값 하나, `hidden_1`부터 차례로).",
        "en": "{case}: the result has shape {found}, expected {expected} (one value per hidden layer, from `hidden_1` on).",
    },
    "arrays.not_finite": {
        "ko": "{case}: 결과에 NaN이나 무한대가 있습니다.",
        "en": "{case}: the result contains NaN or infinity.",
    },
    "arrays.reversed": {
        "ko": "{case}: 값은 맞지만 순서가 거꾸로입니다(출력 쪽에서 입력 쪽으로). `hidden_1`, `hidden_2`, … 순서로 반환하세요.",
        "en": "{case}: the values are right but in reverse order (output to input). Return them in the order "
              "`hidden_1`, `hidden_2`, ….",
    },
    "arrays.squared": {
        "ko": "{case}: 노름(norm)의 제곱입니다. 제곱합의 제곱근, 즉 `tf.norm(grad)` 값을 쓰세요.",
        "en": "{case}: these are squared norms. Take the square root of the sum of squares, i.e. `tf.norm(grad)`.",
    },
    "arrays.square_root": {
        "ko": "{case}: 노름의 제곱근을 반환합니다. L2 노름인 `tf.norm(grad)` 값 자체를 반환하세요.",
        "en": "{case}: these are square roots of the norms. Return the L2 norm `tf.norm(grad)` itself.",
    },
    "arrays.scaled": {
        "ko": "{case}: 모든 값이 기대값의 {factor:.4g}배입니다. 손실이 일정한 배수로 커졌다는 뜻입니다: 배치에 대해 "
              "합(sum)이 아니라 평균(mean)을 내는 평균 제곱 오차(mean squared error)를 쓰세요.",
        "en": "{case}: every value is {factor:.4g} times the expected one, so the loss is scaled by a constant: "
              "use the mean squared error averaged over the batch, not summed.",
    },
    "arrays.bias": {
        "ko": "{case}: 커널(kernel, 가중치 행렬)이 아니라 편향(bias)의 기울기 노름입니다. `layer.kernel`에 대한 기울기를 쓰세요.",
        "en": "{case}: these are the norms of the bias gradients. Use the gradient with respect to `layer.kernel`.",
    },
    "arrays.inputs": {
        "ko": "{case}: 층의 가중치가 아니라 층의 입력에 대한 기울기의 노름입니다. 이 실습에서는 각 은닉층의 `layer.kernel`에 대한 기울기가 필요합니다.",
        "en": "{case}: these are the norms of the gradients with respect to the layers' inputs. The exercise "
              "asks for the gradients with respect to each `layer.kernel`.",
    },
    "arrays.includes_output": {
        "ko": "{case}: 출력층(`output`)의 값까지 들어 있습니다. 은닉층 `hidden_1` … 만 포함하세요.",
        "en": "{case}: the output layer (`output`) is included. Include only the hidden layers `hidden_1` ….",
    },
    "arrays.values": {
        "ko": "{case}: 값이 기대와 다릅니다(층 {layer}에서 처음 다름: {found:.4g}, 기대 {expected:.4g}). 손실이 `model(X)` 출력과 Y의 "
              "평균 제곱 오차인지, `tf.GradientTape` 안에서 계산했는지, 편향(bias)이 아니라 각 은닉층의 커널(kernel)에 대한 기울기인지 확인하세요.",
        "en": "{case}: the values differ (first at layer {layer}: {found:.4g}, expected {expected:.4g}). Check that "
              "the loss is the mean squared error between `model(X)` and Y, computed inside `tf.GradientTape`, and that "
              "you take the gradient with respect to each hidden layer's kernel (not its bias).",
    },
})


def _close(found, expected, rtol=1e-3):
    if found.shape != expected.shape:
        return False
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    return bool(np.allclose(found, expected, rtol=rtol, atol=1e-6 * max(scale, 1e-12)))


def _cases(student, reference):
    return ordered_cases(student, reference, "npy", "arrays.case_missing", keep=lambda c: "__" not in c)


def _optional(reference, name):
    try:
        return reference.array(name) if name in reference.cases("npy") else None
    except ArtifactError:
        return None


def diagnose(case, found, expected, reference=None):
    """The catalog key naming what is wrong with `found`, or None when it matches."""
    if found.shape != expected.shape:
        if found.ndim == 1 and found.size == expected.size + 1 and _close(found[:-1], expected):
            return ("arrays.includes_output", {"case": case})
        if found.ndim == 1 and found.size == expected.size + 1 and _close(found[1:], expected[::-1]):
            return ("arrays.reversed", {"case": case})
        return ("arrays.shape", {"case": case, "found": found.shape, "expected": expected.shape})
    if not np.all(np.isfinite(found)):
        return ("arrays.not_finite", {"case": case})
    if _close(found, expected):
        return None
    if _close(found[::-1], expected):
        return ("arrays.reversed", {"case": case})
    if _close(found, expected ** 2):
        return ("arrays.squared", {"case": case})
    if np.all(found >= 0) and _close(found, np.sqrt(np.abs(expected))):
        return ("arrays.square_root", {"case": case})
    if reference is not None:
        for variant, key in (("bias", "arrays.bias"), ("inputs", "arrays.inputs")):
            other = _optional(reference, f"{case}__{variant}")
            if other is not None and (_close(found, other) or _close(found[::-1], other)):
                return (key, {"case": case})
    nonzero = np.abs(expected) > 1e-30
    if np.any(nonzero):
        ratios = found[nonzero] / expected[nonzero]
        factor = float(np.median(ratios))
        if abs(factor) > 1e-6 and abs(factor - 1.0) > 1e-3 and np.allclose(ratios, factor, rtol=1e-3):
            return ("arrays.scaled", {"case": case, "factor": factor})
    first = int(np.argmax(~np.isclose(found, expected, rtol=1e-3, atol=0)))
    return ("arrays.values", {"case": case, "layer": f"hidden_{first + 1}",
                              "found": float(found.flat[first]), "expected": float(expected.flat[first])})


def gradient_norms_shape(student, reference, context):
    for case in _cases(student, reference):
        found, expected = student.array(case), reference.array(case)
        if found.shape != expected.shape:
            key, values = diagnose(case, found, expected, reference)
            if key not in ("arrays.includes_output", "arrays.reversed"):
                key, values = "arrays.shape", {"case": case, "found": found.shape, "expected": expected.shape}
            return Verdict.fail(key, **values)
        if not np.all(np.isfinite(found)):
            return Verdict.fail("arrays.not_finite", case=case)
    return Verdict.ok()


def gradient_norms_values(student, reference, context):
    for case in _cases(student, reference):
        problem = diagnose(case, student.array(case), reference.array(case), reference)
        if problem:
            return Verdict(False, [problem])
    return Verdict.ok()
