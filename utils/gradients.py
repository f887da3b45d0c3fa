"""The arithmetic of the gradient-decay explorer: a deep fully connected network in numpy.

The explorer redraws per-layer gradient norms on every move of a slider. Building a Keras
model and running a GradientTape each time takes far longer than a slider can wait; the
same forward and backward pass written out in numpy takes a few milliseconds at depth 100.

The network is always the course's own: its weights are drawn here from a seed, described
by a `NetworkSpec`. Nothing in this module accepts a Keras model, so it cannot compute a
graded answer (the notebook's `layer_gradient_norms`) for someone else's network.

The network mirrors the notebook's `build_deep_network`, with input width = layer width
and zero biases: layer i computes a_i = act(BN(h_{i-1} W_i)); the next h is a_i, or
h_{i-1} + a_i from the second layer on when residual; the output is h_L v, and the loss
is the mean squared error against fixed random targets.
"""

from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from .messages import register

ACTIVATIONS = ("sigmoid", "tanh", "relu")
INITS = ("small", "glorot", "he")
MEASURES = ("weights", "inputs")
SMALL_STD = 0.01
_BN_EPS = 1e-5
_TINY = np.finfo(np.float64).tiny  # a norm that underflowed to 0 still has a place on a log axis

register({
    "gradients.axis.layer": {"ko": "층 번호", "en": "layer"},
    "gradients.axis.weight_norm": {"ko": "가중치 기울기 노름", "en": "weight gradient norm"},
    "gradients.axis.input_norm": {"ko": "층 입력의 기울기 노름", "en": "gradient norm at the layer input"},
    "gradients.net.plain": {"ko": "일반 네트워크", "en": "plain network"},
    "gradients.net.residual": {"ko": "잔차 네트워크", "en": "residual network"},
    "gradients.unknown_choice": {
        "ko": "{what}에는 {choices} 중 하나를 고르세요. 받은 값: {value!r}",
        "en": "{what} must be one of {choices}; got {value!r}",
    },
    "gradients.compare.title": {
        "ko": "시그모이드 은닉층 20개: 일반 네트워크와 잔차 네트워크",
        "en": "20 sigmoid hidden layers: plain and residual networks",
    },
    "degradation.title": {"ko": "같은 조건으로 훈련한 세 네트워크", "en": "Three networks trained under the same conditions"},
    "degradation.axis.epoch": {"ko": "에포크", "en": "epoch"},
    "degradation.axis.loss": {"ko": "훈련 손실 (MSE, 로그 스케일)", "en": "training loss (MSE, log scale)"},
    "degradation.shallow": {"ko": "얕은 일반 네트워크, {depth}층", "en": "shallow plain network, {depth} layers"},
    "degradation.deep_plain": {"ko": "깊은 일반 네트워크, {depth}층", "en": "deep plain network, {depth} layers"},
    "degradation.deep_residual": {"ko": "깊은 잔차 네트워크, {depth}층", "en": "deep residual network, {depth} layers"},
})


@dataclass(frozen=True)
class NetworkSpec:
    """Which network the explorer looks at. Equal specs give equal weights and data."""

    depth: int = 20
    width: int = 32
    activation: str = "sigmoid"
    init: str = "glorot"
    residual: bool = False
    batch_norm: bool = False
    batch: int = 64
    seed: int = 0

    def __post_init__(self):
        _require_choice("activation", self.activation, ACTIVATIONS)
        _require_choice("init", self.init, INITS)
        if int(self.depth) < 1 or int(self.width) < 1 or int(self.batch) < 2:
            raise ValueError(f"depth, width must be >= 1 and batch >= 2; got {self}")

    def twin(self):
        """The same network with skip connections switched the other way."""
        return replace(self, residual=not self.residual)


@dataclass(frozen=True)
class GradientProfile:
    """Per-layer gradient norms of one network, layer 1 first."""

    spec: NetworkSpec
    weights: np.ndarray  # ||dL/dW_i||_F
    inputs: np.ndarray   # ||dL/dh_{i-1}||_F: the gradient arriving at layer i's input
    loss: float

    def norms(self, measure):
        _require_choice("measure", measure, MEASURES)
        return self.weights if measure == "weights" else self.inputs

    def ratio(self, measure):
        """First layer's norm over the last layer's: tiny means the first layers barely learn."""
        norms = self.norms(measure)
        return float(norms[0] / norms[-1])


def _require_choice(what, value, choices):
    if value not in choices:
        from .messages import CourseError

        raise CourseError("gradients.unknown_choice", what=what, value=value, choices=", ".join(choices))


def init_std(init, fan_in, fan_out):
    """Standard deviation of the normal distribution each initialisation draws from."""
    if init == "small":
        return SMALL_STD
    if init == "glorot":
        return np.sqrt(2.0 / (fan_in + fan_out))
    return np.sqrt(2.0 / fan_in)  # He


@lru_cache(maxsize=64)
def _unit_normal_layer(width, index, seed):
    # One generator per layer: changing the depth keeps the first layers' weights.
    return np.random.default_rng([seed, index]).standard_normal((width, width))


@lru_cache(maxsize=16)
def _fixed_parameters(depth, width, init, batch, seed):
    weights = [init_std(init, width, width) * _unit_normal_layer(width, i, seed) for i in range(1, depth + 1)]
    rng = np.random.default_rng([seed, 0])
    X = rng.standard_normal((batch, width))
    targets = rng.standard_normal((batch, 1))
    head = init_std(init, width, 1) * rng.standard_normal((width, 1))
    return X, targets, weights, head


def _activate(name, z):
    if name == "sigmoid":
        a = 1.0 / (1.0 + np.exp(-np.clip(z, -500, 500)))
        return a, a * (1.0 - a)
    if name == "tanh":
        a = np.tanh(z)
        return a, 1.0 - a * a
    return np.maximum(z, 0.0), (z > 0).astype(z.dtype)


def gradient_profile(spec):
    """Forward and backward pass of `spec`'s network; per-layer gradient norms for both measures."""
    X, targets, weights, head = _fixed_parameters(spec.depth, spec.width, spec.init, spec.batch, spec.seed)
    n = X.shape[0]
    h = X
    saved = []
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        for i, W in enumerate(weights):
            z = h @ W
            std = zhat = None
            if spec.batch_norm:  # training-mode batch statistics, gamma = 1, beta = 0
                std = np.sqrt(z.var(axis=0) + _BN_EPS)
                zhat = (z - z.mean(axis=0)) / std
                z = zhat
            a, slope = _activate(spec.activation, z)
            skip = spec.residual and i > 0
            saved.append((h, slope, std, zhat, skip))
            h = h + a if skip else a
        error = h @ head - targets
        loss = float(np.mean(error ** 2))
        grad_h = (2.0 / n) * error @ head.T
        weight_norms = np.empty(spec.depth)
        input_norms = np.empty(spec.depth)
        for i in range(spec.depth - 1, -1, -1):
            h_in, slope, std, zhat, skip = saved[i]
            grad_z = grad_h * slope
            if spec.batch_norm:
                grad_z = (grad_z - grad_z.mean(axis=0) - zhat * (grad_z * zhat).mean(axis=0)) / std
            weight_norms[i] = np.linalg.norm(h_in.T @ grad_z)
            grad_in = grad_z @ weights[i].T
            if skip:
                grad_in = grad_in + grad_h
            input_norms[i] = np.linalg.norm(grad_in)
            grad_h = grad_in
    return GradientProfile(spec, _clean(weight_norms), _clean(input_norms), loss)


def _clean(norms):
    """Underflow to 0 becomes the smallest float; overflow stays inf (the plot says so)."""
    norms = np.nan_to_num(norms, nan=np.inf, posinf=np.inf)
    return np.maximum(norms, _TINY)
