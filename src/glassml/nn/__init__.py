"""NumPy neural networks from scratch (seed files 01 and 02).

Activations and their derivatives, weight initialisation, a single :class:`Neuron`, a batched
:class:`DenseLayer`, loss functions, and :class:`NeuralNetwork` trained by backpropagation.
Every gradient here is checked against central differences and PyTorch autograd in the tests.
"""

from glassml.nn.activations import (
    ACTIVATIONS,
    linear,
    linear_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_backward,
    tanh,
    tanh_derivative,
)
from glassml.nn.gradcheck import max_relative_error, numerical_gradient
from glassml.nn.init import (
    activation_std_by_depth,
    he_scale,
    init_scale,
    init_weights,
    xavier_scale,
)
from glassml.nn.layers import DenseLayer, Neuron
from glassml.nn.losses import (
    EPS,
    binary_cross_entropy,
    binary_cross_entropy_gradient,
    cross_entropy,
    cross_entropy_gradient,
    mse,
    mse_gradient,
    one_hot,
)
from glassml.nn.network import LOSSES, NeuralNetwork

__all__ = [
    "ACTIVATIONS",
    "EPS",
    "LOSSES",
    "DenseLayer",
    "NeuralNetwork",
    "Neuron",
    "activation_std_by_depth",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "cross_entropy",
    "cross_entropy_gradient",
    "he_scale",
    "init_scale",
    "init_weights",
    "linear",
    "linear_derivative",
    "max_relative_error",
    "mse",
    "mse_gradient",
    "numerical_gradient",
    "one_hot",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_derivative",
    "xavier_scale",
]
