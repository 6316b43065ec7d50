"""The multi-layer perceptron of seed file 04, built from PyTorch modules.

Each hidden size becomes one block ``Linear → BatchNorm1d → ReLU → Dropout``; the blocks and a
final ``Linear`` to the logits are chained in one ``nn.Sequential`` called ``self.net``, and
``forward`` is ``self.net(x)`` — autograd does the backward pass that the NumPy track writes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch
from torch import nn

from glassml._validation import check_positive, check_scalar_number


def _check_hidden_dims(hidden_dims: Any) -> list[int]:
    if isinstance(hidden_dims, (str, bytes)) or not isinstance(hidden_dims, Sequence):
        raise TypeError(
            "hidden_dims must be a sequence of positive ints (e.g. [64, 32], or [] for a "
            f"linear model), got {hidden_dims!r} of type {type(hidden_dims).__name__}."
        )
    for i, width in enumerate(hidden_dims):
        check_positive(width, f"hidden_dims[{i}]", integer=True)
    return [int(width) for width in hidden_dims]


class MLP(nn.Module):
    """A multi-layer perceptron: ``Linear → BatchNorm1d → ReLU → Dropout`` per hidden layer.

    Parameters
    ----------
    input_dim : int
        Number of input features ``n_features``.
    hidden_dims : sequence of int
        Width of each hidden layer, in order. An empty sequence gives a linear model: one
        ``Linear(input_dim, output_dim)`` (logistic / softmax regression once paired with the
        loss in :func:`glassml.pytorch.train`).
    output_dim : int
        Number of logits: 1 for binary classification (``BCEWithLogitsLoss``), the number of
        classes for multi-class (``CrossEntropyLoss``).
    dropout : float, default=0.2
        Probability that :class:`torch.nn.Dropout` zeroes an activation in train mode, in
        ``[0, 1)``. ``0`` keeps the ``Dropout`` module (so the structure does not change) but it
        is then the identity.
    batch_norm : bool, default=True
        Put a ``BatchNorm1d`` after each hidden ``Linear``. ``False`` gives the plain network of
        the NumPy track (used by the bridge test and by exact multi-process comparisons).
    seed : int or None, default=None
        Seed for the initial weights. The initialisation runs inside
        :func:`torch.random.fork_rng`, so the global torch random state is left as it was.
        ``None`` draws from the global torch generator as PyTorch modules normally do.

    Attributes
    ----------
    net : torch.nn.Sequential
        The whole network; ``forward(x)`` is ``net(x)``.
    config : dict
        The constructor arguments, stored by :func:`glassml.pytorch.save` so that
        :func:`glassml.pytorch.load` can rebuild the model.

    Notes
    -----
    A hidden block maps ``h ↦ Dropout(ReLU(BN(h W^T + b)))`` with
    ``BN(z) = γ (z - μ_B) / sqrt(σ_B² + ε) + β``, where ``μ_B`` and ``σ_B²`` are the mini-batch
    mean and (biased) variance in train mode and the running averages in eval mode. In train
    mode ``Dropout`` zeroes each activation with probability ``p`` and scales the survivors by
    ``1 / (1 - p)``; in eval mode it is the identity, so eval outputs are deterministic.

    Examples
    --------
    >>> model = MLP(2, [16, 8], 1, dropout=0.1, seed=0)
    >>> model(torch.zeros(4, 2)).shape
    torch.Size([4, 1])
    """

    def __init__(
        self,
        input_dim: int,
        hidden_dims: Sequence[int],
        output_dim: int,
        dropout: float = 0.2,
        *,
        batch_norm: bool = True,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        check_positive(input_dim, "input_dim", integer=True)
        check_positive(output_dim, "output_dim", integer=True)
        hidden = _check_hidden_dims(hidden_dims)
        check_scalar_number(dropout, "dropout", low=0.0, high=1.0, include_high=False)
        if not isinstance(batch_norm, bool):
            raise TypeError(f"batch_norm must be True or False, got {batch_norm!r}.")
        if seed is not None:
            check_scalar_number(seed, "seed", low=0, integer=True)

        self.input_dim = int(input_dim)
        self.hidden_dims = hidden
        self.output_dim = int(output_dim)
        self.dropout = float(dropout)
        self.batch_norm = batch_norm
        self.config: dict[str, Any] = {
            "input_dim": self.input_dim,
            "hidden_dims": list(hidden),
            "output_dim": self.output_dim,
            "dropout": self.dropout,
            "batch_norm": batch_norm,
        }

        # NOTE: fork_rng restores the global generator on exit: seeding the weights here never
        # changes what the caller's own torch.rand calls see.
        with torch.random.fork_rng(devices=[], enabled=seed is not None):
            if seed is not None:
                torch.manual_seed(seed)
            layers: list[nn.Module] = []
            width_in = self.input_dim
            for width in hidden:
                layers.append(nn.Linear(width_in, width))
                if batch_norm:
                    layers.append(nn.BatchNorm1d(width))
                layers.append(nn.ReLU())
                layers.append(nn.Dropout(self.dropout))
                width_in = width
            layers.append(nn.Linear(width_in, self.output_dim))
            self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logits for a batch.

        Parameters
        ----------
        x : torch.Tensor of shape (n_samples, input_dim)
            Of the parameters' dtype and on their device.

        Returns
        -------
        torch.Tensor of shape (n_samples, output_dim)
            Raw scores (no sigmoid / softmax); the loss applies it stably.
        """
        if not isinstance(x, torch.Tensor):
            raise TypeError(
                f"x must be a torch.Tensor of shape (n_samples, {self.input_dim}), "
                f"got {type(x).__name__}."
            )
        if x.ndim != 2:
            raise ValueError(
                f"x must be 2-D of shape (n_samples, {self.input_dim}), got a {x.ndim}-D "
                f"tensor of shape {tuple(x.shape)}."
            )
        if x.shape[1] != self.input_dim:
            raise ValueError(
                f"x has {x.shape[1]} features, but this MLP expects input_dim={self.input_dim}."
            )
        W = self.net[0].weight  # the first weights x meets
        if x.dtype != W.dtype:
            raise TypeError(
                f"x has dtype {x.dtype}, but this MLP's parameters are {W.dtype}: cast one to "
                f"the other (x.to({W.dtype}) or model.to({x.dtype}))."
            )
        if x.device != W.device:
            raise ValueError(
                f"x is on {x.device}, but this MLP's parameters are on {W.device}: move one "
                f"to the other (x.to('{W.device}') or model.to('{x.device}'))."
            )
        return self.net(x)

    def extra_repr(self) -> str:
        return (
            f"input_dim={self.input_dim}, hidden_dims={self.hidden_dims}, "
            f"output_dim={self.output_dim}, dropout={self.dropout}, batch_norm={self.batch_norm}"
        )
