"""The PyTorch track on a CUDA GPU: the same numbers as on the CPU. Skipped without CUDA (CI).

Each test runs the same thing on the CPU and on ``cuda:0`` and compares. Dropout is off in the
training comparisons: CPU and CUDA draw different random masks.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from glassml.pytorch import MLP, ScaledDotProductAttention, causal_mask, load, save, train

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")

GPU = torch.device("cuda", 0)
CPU = torch.device("cpu")


def blobs(n_per_class=60, seed=0):
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(2.0, 1.0, (n_per_class, 2)), rng.normal(-2.0, 1.0, (n_per_class, 2))])
    return X, np.repeat([0, 1], n_per_class)


def trained(device, data=None, dtype=torch.float64):
    """An MLP (BatchNorm on, dropout off) trained for 4 epochs on ``device``."""
    model = MLP(2, [16, 8], 1, dropout=0.0, seed=0).to(dtype)
    history = train(
        model, blobs() if data is None else data, blobs(seed=1), epochs=4, batch_size=16,
        device=device, verbose=False,
    )  # fmt: skip
    return model, history


def assert_same_weights(a, b, atol):
    for (name, p), q in zip(a.state_dict().items(), b.state_dict().values(), strict=True):
        torch.testing.assert_close(p.cpu(), q.cpu(), rtol=0, atol=atol, msg=name)


def test_auto_picks_the_gpu():
    model, _ = trained("auto")
    assert all(p.device == GPU for p in model.parameters())


def test_float64_training_on_the_gpu_equals_the_cpu_run():
    on_gpu, history_gpu = trained("cuda")
    on_cpu, history_cpu = trained("cpu")
    assert all(p.device == GPU for p in on_gpu.parameters())
    assert_same_weights(on_gpu, on_cpu, atol=1e-8)
    for key in history_cpu:
        np.testing.assert_allclose(history_gpu[key], history_cpu[key], rtol=0, atol=1e-8)


def test_cuda_tensors_as_input():
    X, y = blobs()
    on_gpu_data = (torch.as_tensor(X, device=GPU), torch.as_tensor(y, device=GPU))
    reference, _ = trained("cpu")
    # GPU data, CPU training: the data move to the CPU, the run is the CPU run exactly.
    model, _ = trained("cpu", data=on_gpu_data)
    assert_same_weights(model, reference, atol=0)
    # GPU data, GPU training; and a model already on the GPU trained on CPU data.
    model, _ = trained("cuda", data=on_gpu_data)
    assert_same_weights(model, reference, atol=1e-8)
    model.to(GPU)
    train(model, blobs(), epochs=1, device="cpu", verbose=False)
    assert all(p.device == CPU for p in model.parameters())


def test_save_on_the_gpu_load_on_the_cpu(tmp_path):
    model, _ = trained("cuda", dtype=torch.float32)
    path = save(model, tmp_path / "gpu.pt")
    X = torch.as_tensor(blobs(seed=2)[0], dtype=torch.float32)
    on_cpu = load(path, device="cpu")
    assert all(p.device == CPU for p in on_cpu.parameters())
    with torch.no_grad():
        assert torch.equal(on_cpu(X), model.cpu()(X))
        model.to(GPU)
        on_gpu = load(path, device="cuda")
        assert all(p.device == GPU for p in on_gpu.parameters())
        torch.testing.assert_close(on_gpu(X.to(GPU)), model(X.to(GPU)), rtol=0, atol=1e-6)


@pytest.mark.parametrize("causal", [False, True])
def test_attention_on_the_gpu_equals_torch(causal):
    g = torch.Generator().manual_seed(0)
    Q, K, V = (torch.randn(2, 3, 7, 8, generator=g, dtype=torch.float64).to(GPU) for _ in "QKV")
    mask = causal_mask(7, device=GPU) if causal else None
    output, weights = ScaledDotProductAttention()(Q, K, V, mask)
    expected = F.scaled_dot_product_attention(Q, K, V, is_causal=causal)
    assert output.device == GPU
    torch.testing.assert_close(output, expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(
        weights.sum(-1), torch.ones(2, 3, 7, dtype=torch.float64, device=GPU)
    )
