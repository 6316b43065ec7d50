"""The PyTorch track (seed file 04): what the NumPy track writes by hand, with autograd.

- :class:`MLP` — ``Linear → BatchNorm1d → ReLU → Dropout`` blocks in an ``nn.Sequential``.
- :class:`ScaledDotProductAttention` and :func:`causal_mask` — ``softmax(QKᵀ/√d_k)·V``.
- :func:`train` — the seed's loop with Adam, ``StepLR`` and a progress bar; runs unchanged under
  ``torchrun`` (``DistributedDataParallel``).
- :func:`save` / :func:`load` — weights plus constructor arguments, loaded without running code.
- :func:`resolve_device` — ``"auto"``/``"cpu"``/``"cuda[:N]"`` to a device that exists (one GPU
  per process under ``torchrun``, the CPU when there are fewer GPUs than processes).

This is the one glassml subpackage that imports torch.
"""

from glassml.pytorch.attention import ScaledDotProductAttention, causal_mask
from glassml.pytorch.devices import resolve_device
from glassml.pytorch.distributed import is_distributed, is_main_process, rank, world_size
from glassml.pytorch.mlp import MLP
from glassml.pytorch.persistence import load, save
from glassml.pytorch.training import History, train

__all__ = [
    "MLP",
    "History",
    "ScaledDotProductAttention",
    "causal_mask",
    "is_distributed",
    "is_main_process",
    "load",
    "rank",
    "resolve_device",
    "save",
    "train",
    "world_size",
]
