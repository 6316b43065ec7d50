"""NumPy neural networks from scratch (seed files 01 and 02).

Activations and their derivatives (one table, :data:`ACTIVATION_TABLE`), weight
initialisation, a single :class:`Neuron`, the :class:`Layer` protocol and a batched
:class:`DenseLayer`, loss functions, :class:`Sequential` (any list of layers, trained by
backpropagation) and :class:`NeuralNetwork` (the seed's fully connected network, built on it).
The seed's PyTorch layers written from scratch (seed file 04): :class:`BatchNorm1d`,
:class:`LayerNorm`, :class:`Dropout`, :class:`Conv2d` (with :class:`MaxPool2d`,
:class:`Flatten`, :class:`ReLU`, :class:`Unflatten`), :class:`MultiHeadAttention` and
:func:`scaled_dot_product_attention`.
Every gradient here is checked against central differences and PyTorch autograd in the tests.
"""

from glassml.nn.activations import (
    ACTIVATION_TABLE,
    ACTIVATIONS,
    Activation,
    get_activation,
    linear,
    linear_derivative,
    log_softmax,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    softmax_backward,
    tanh,
    tanh_derivative,
)
from glassml.nn.attention import (
    MultiHeadAttention,
    multi_head_attention_textbook,
    scaled_dot_product_attention,
    scaled_dot_product_attention_backward,
)
from glassml.nn.base import Layer
from glassml.nn.conv import Conv2d, Flatten, MaxPool2d, ReLU, Unflatten
from glassml.nn.dropout import Dropout
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
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_gradient,
    cross_entropy,
    cross_entropy_gradient,
    mse,
    mse_gradient,
    one_hot,
)
from glassml.nn.network import LOSSES, NeuralNetwork
from glassml.nn.normalization import (
    BatchNorm1d,
    LayerNorm,
    normalize_backward_textbook,
    normalize_textbook,
)
from glassml.nn.sequential import Sequential

__all__ = [
    "ACTIVATIONS",
    "ACTIVATION_TABLE",
    "EPS",
    "LOSSES",
    "Activation",
    "BatchNorm1d",
    "Conv2d",
    "DenseLayer",
    "Dropout",
    "Flatten",
    "Layer",
    "LayerNorm",
    "MaxPool2d",
    "MultiHeadAttention",
    "NeuralNetwork",
    "Neuron",
    "ReLU",
    "Sequential",
    "Unflatten",
    "activation_std_by_depth",
    "binary_cross_entropy",
    "binary_cross_entropy_gradient",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_gradient",
    "cross_entropy",
    "cross_entropy_gradient",
    "get_activation",
    "he_scale",
    "init_scale",
    "init_weights",
    "linear",
    "linear_derivative",
    "log_softmax",
    "max_relative_error",
    "mse",
    "mse_gradient",
    "multi_head_attention_textbook",
    "normalize_backward_textbook",
    "normalize_textbook",
    "numerical_gradient",
    "one_hot",
    "relu",
    "relu_derivative",
    "scaled_dot_product_attention",
    "scaled_dot_product_attention_backward",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "softmax_backward",
    "tanh",
    "tanh_derivative",
    "xavier_scale",
]
