"""Tests of glassml.pytorch run their tiny networks on one intra-op thread.

NOTE: with pytest-xdist two workers share two cores; torch's default of one thread per core then
oversubscribes the machine and tiny ops spin-wait (runs became 10-30x slower and erratic). One
thread per module, restored afterwards, so other test modules keep their setting.
"""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True, scope="module")
def _one_torch_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
