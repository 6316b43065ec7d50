"""Scaled dot-product attention, the core of a Transformer, written out step by step.

``softmax(Q Kᵀ / √d_k) · V``: every query compares itself with every key (dot product), the
scores are scaled so their spread does not grow with ``d_k``, softmax turns each row into a
probability distribution over the keys, and the output is that mixture of the values.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from glassml._validation import check_positive


def causal_mask(
    L: int, S: int | None = None, *, device: torch.device | str | None = None
) -> torch.Tensor:
    """Boolean mask letting query ``i`` attend only to keys ``j <= i`` (autoregressive).

    Parameters
    ----------
    L : int
        Number of queries (target length).
    S : int, optional
        Number of keys (source length); defaults to ``L``.
    device : torch.device or str, optional
        Where to create the mask.

    Returns
    -------
    torch.Tensor of shape (L, S), dtype bool
        ``mask[i, j]`` is True where query ``i`` may attend to key ``j`` — the lower triangle,
        aligned top-left (as ``is_causal=True`` in
        :func:`torch.nn.functional.scaled_dot_product_attention`).

    Examples
    --------
    >>> causal_mask(3).int()
    tensor([[1, 0, 0],
            [1, 1, 0],
            [1, 1, 1]], dtype=torch.int32)
    """
    check_positive(L, "L", integer=True)
    if S is None:
        S = L
    check_positive(S, "S", integer=True)
    return torch.ones(L, S, dtype=torch.bool, device=device).tril()


class ScaledDotProductAttention(nn.Module):
    """``softmax(Q Kᵀ / √d_k) · V`` with an optional boolean mask; returns output and weights.

    Works on any number of leading batch dimensions of 1 or 2 — ``(batch, L, d)`` or
    ``(batch, heads, L, d)``. It has no parameters: projections to ``Q, K, V`` belong to the
    layer that uses it.

    Notes
    -----
    With ``Q`` of shape (..., L, d_k), ``K`` of shape (..., S, d_k), ``V`` of shape (..., S, d_v)::

        scores  = Q Kᵀ / √d_k                 (..., L, S)
        scores[~mask] = -inf                  key j hidden from query i
        weights = softmax(scores, dim=-1)     each row sums to 1
        output  = weights · V                 (..., L, d_v)

    Dividing by √d_k keeps the variance of a score near 1 when the entries of ``Q`` and ``K``
    have unit variance; without it softmax saturates for large ``d_k`` and its gradients vanish.

    A query whose mask row is all False has nothing to attend to. Its weights row and output
    row are defined as zeros (and its gradients are zero, never NaN), which is what
    :func:`torch.nn.functional.scaled_dot_product_attention` returns in that case.
    """

    def forward(
        self,
        Q: torch.Tensor,
        K: torch.Tensor,
        V: torch.Tensor,
        mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Attend from the queries ``Q`` to the keys ``K`` and mix the values ``V``.

        Parameters
        ----------
        Q : torch.Tensor of shape (batch, L, d_k) or (batch, heads, L, d_k)
        K : torch.Tensor of shape (batch, S, d_k) or (batch, heads, S, d_k)
        V : torch.Tensor of shape (batch, S, d_v) or (batch, heads, S, d_v)
        mask : torch.Tensor of dtype bool, broadcastable to (..., L, S), optional
            True where the query may attend to the key (e.g. :func:`causal_mask`). ``None``
            lets every query attend to every key.

        Returns
        -------
        output : torch.Tensor of shape (..., L, d_v)
        weights : torch.Tensor of shape (..., L, S)
            The attention weights; each row sums to 1 (0 for a fully masked row).
        """
        self._check_inputs(Q, K, V, mask)
        d_k = Q.shape[-1]
        # NOTE: scaling Q (L·d_k numbers) instead of the scores (L·S numbers) is the same maths
        # with less work once S > d_k.
        scores = (Q / math.sqrt(d_k)) @ K.transpose(-2, -1)  # (..., L, S)
        if mask is None:
            weights = torch.softmax(scores, dim=-1)
        else:
            # NOTE: a finite "minus infinity" keeps a fully masked row finite (uniform) instead of
            # NaN (exp(-inf - (-inf))); such a row is then zeroed, and gradients stay finite.
            # In place: the scores are our own temporary and matmul's backward does not need them.
            scores.masked_fill_(~mask, torch.finfo(scores.dtype).min)
            weights = torch.softmax(scores, dim=-1)
            nothing_to_see = ~mask.any(dim=-1, keepdim=True)  # (..., L, 1), broadcastable
            if bool(nothing_to_see.any()):
                weights = weights.masked_fill(nothing_to_see, 0.0)
        output = weights @ V  # (..., L, d_v)
        return output, weights

    @staticmethod
    def _check_inputs(
        Q: torch.Tensor, K: torch.Tensor, V: torch.Tensor, mask: torch.Tensor | None
    ) -> None:
        for name, t in (("Q", Q), ("K", K), ("V", V)):
            if not isinstance(t, torch.Tensor):
                raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}.")
            if t.ndim not in (3, 4):
                raise ValueError(
                    f"{name} must be 3-D (batch, length, dim) or 4-D (batch, heads, length, "
                    f"dim), got shape {tuple(t.shape)}."
                )
            if not t.is_floating_point():
                raise TypeError(f"{name} must be a floating-point tensor, got dtype {t.dtype}.")
        if not (Q.ndim == K.ndim == V.ndim):
            raise ValueError(
                f"Q, K and V must have the same number of dimensions, got shapes "
                f"{tuple(Q.shape)}, {tuple(K.shape)} and {tuple(V.shape)}."
            )
        if not (Q.shape[:-2] == K.shape[:-2] == V.shape[:-2]):
            raise ValueError(
                f"Q, K and V must share their batch (and heads) dimensions, got shapes "
                f"{tuple(Q.shape)}, {tuple(K.shape)} and {tuple(V.shape)}."
            )
        if Q.shape[-1] != K.shape[-1]:
            raise ValueError(
                f"Q and K must have the same last dimension d_k, got Q {tuple(Q.shape)} and "
                f"K {tuple(K.shape)}."
            )
        if K.shape[-2] != V.shape[-2]:
            raise ValueError(
                f"K and V must have the same length S (one value per key), got K "
                f"{tuple(K.shape)} and V {tuple(V.shape)}."
            )
        if mask is None:
            return
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            kind = mask.dtype if isinstance(mask, torch.Tensor) else type(mask).__name__
            raise TypeError(f"mask must be a bool torch.Tensor (True = may attend), got {kind}.")
        scores_shape = (*Q.shape[:-1], K.shape[-2])
        try:
            broadcast = torch.broadcast_shapes(mask.shape, scores_shape)
        except RuntimeError:
            broadcast = None
        if broadcast != torch.Size(scores_shape):
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to the scores' shape "
                f"{scores_shape} (..., L, S)."
            )
