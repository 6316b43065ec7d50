"""Fixtures for the optimizer tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture
def torch_one_thread() -> Iterator[None]:
    """Run torch single-threaded for the test (restored after).

    The tensors here are tiny, and on a shared 2-core machine torch's thread pool spends far
    longer synchronising than computing; results do not depend on the thread count.
    """
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
