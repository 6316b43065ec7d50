"""The training loop: against a hand-written seed loop, on the blobs, StepLR, seeding, bad input."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from torch import nn

from glassml.pytorch import MLP, resolve_device, train


def blobs(n_per_class=100, centers=((2.0, 2.0), (-2.0, -2.0)), seed=0):
    """The seed's data: Gaussian blobs (unit variance), one per class."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(c, 1.0, size=(n_per_class, 2)) for c in centers])
    y = np.repeat(np.arange(len(centers)), n_per_class)
    return X.astype(np.float32), y


def seed_loop(model, X, y, *, epochs, batch_size, lr, step_size, gamma, seed, loss_fn):
    """The seed's loop written out, visiting batches in the order DistributedSampler defines:
    ``torch.randperm(n)`` from a generator seeded with ``seed + epoch``."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=step_size, gamma=gamma)
    losses = []
    for epoch in range(epochs):
        order = torch.randperm(len(X), generator=torch.Generator().manual_seed(seed + epoch))
        model.train()
        total = 0.0
        for idx in order.split(batch_size):
            optimizer.zero_grad()
            loss = loss_fn(model(X[idx]), y[idx])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(idx)
        losses.append(total / len(X))
        scheduler.step()
    return losses


@pytest.mark.parametrize(
    ("n_logits", "centers"),
    [(1, ((2, 2), (-2, -2))), (3, ((2, 2), (-2, -2), (2, -2)))],
    ids=["binary-bce", "3-class-cross-entropy"],
)
def test_equals_the_seed_loop_step_for_step(n_logits, centers):
    X_np, y_np = blobs(23, centers)  # n not a multiple of the batch: a short last batch
    X = torch.as_tensor(X_np, dtype=torch.float64)
    model = MLP(2, [6, 5], n_logits, dropout=0.0, seed=0).double()
    reference = copy.deepcopy(model)
    kwargs = dict(epochs=3, batch_size=16, lr=0.05, step_size=2, gamma=0.5, seed=4)
    history = train(model, (X, y_np), device="cpu", verbose=False, **kwargs)
    if n_logits == 1:
        y, loss_fn = torch.as_tensor(y_np, dtype=torch.float64)[:, None], nn.BCEWithLogitsLoss()
    else:
        y, loss_fn = torch.as_tensor(y_np), nn.CrossEntropyLoss()
    losses = seed_loop(reference, X, y, loss_fn=loss_fn, **kwargs)
    for (name, p), q in zip(
        model.state_dict().items(), reference.state_dict().values(), strict=True
    ):
        torch.testing.assert_close(p, q, rtol=0, atol=1e-12, msg=name)
    np.testing.assert_allclose(history["loss"], losses, rtol=0, atol=1e-12)
    assert history["lr"] == [0.05, 0.05, 0.025]
    assert not model.training  # left in eval mode, ready to predict


def test_reaches_98_percent_on_the_blobs():
    X, y = blobs(150)
    X_val, y_val = blobs(100, seed=1)
    model = MLP(2, [16, 8], 1, dropout=0.2, seed=0)
    history = train(
        model, (X, y), (X_val, y_val), epochs=15, batch_size=32, lr=0.01, device="cpu",
        verbose=False,
    )  # fmt: skip
    assert history["accuracy"][-1] >= 0.98
    assert history["val_accuracy"][-1] >= 0.98
    assert history["loss"][-1] < history["loss"][0]
    with torch.no_grad():
        predicted = (model(torch.as_tensor(X_val)) > 0).numpy().ravel()
    assert np.mean(predicted == y_val) == pytest.approx(history["val_accuracy"][-1])


def test_history_and_validation_metrics_by_hand():
    X, y = blobs(40)
    X_val, y_val = blobs(30, seed=2)
    model = MLP(2, [4], 1, seed=1)
    history = train(
        model, (X, y), (X_val, y_val), epochs=2, batch_size=16, device="cpu", verbose=False
    )
    assert set(history) == {"loss", "accuracy", "lr", "val_loss", "val_accuracy"}
    assert all(len(v) == 2 for v in history.values())
    with torch.no_grad():
        logits = model(torch.as_tensor(X_val))
    target = torch.as_tensor(y_val, dtype=torch.float32)[:, None]
    expected_loss = nn.functional.binary_cross_entropy_with_logits(logits, target)
    assert history["val_loss"][-1] == pytest.approx(float(expected_loss), abs=1e-6)
    assert history["val_accuracy"][-1] == np.mean((logits.numpy().ravel() > 0) == y_val)


def test_steplr_halves_the_rate_at_epochs_20_and_40():
    X, y = blobs(8)
    model = MLP(2, [3], 1, seed=0)
    history = train(model, (X, y), epochs=45, batch_size=16, lr=0.02, verbose=False)
    assert history["lr"] == [0.02] * 20 + [0.01] * 20 + [0.005] * 5


def test_same_seed_same_run_and_global_rng_restored():
    X, y = blobs(30)
    runs = []
    for _ in range(2):
        model = MLP(2, [8], 1, dropout=0.5, seed=0)
        state = torch.get_rng_state()
        history = train(model, (X, y), epochs=3, batch_size=8, seed=11, verbose=False)
        assert torch.equal(torch.get_rng_state(), state)
        runs.append((history, model.state_dict()))
    assert runs[0][0] == runs[1][0]
    for a, b in zip(runs[0][1].values(), runs[1][1].values(), strict=True):
        assert torch.equal(a, b)
    other = MLP(2, [8], 1, dropout=0.5, seed=0)
    assert train(other, (X, y), epochs=3, batch_size=8, seed=12, verbose=False) != runs[0][0]


def test_batchnorm_singleton_last_batch_is_dropped_not_a_crash():
    X, y = blobs(17)  # 34 samples, batch 11: batches 11, 11, 11, 1
    history = train(MLP(2, [4], 1, seed=0), (X, y), epochs=2, batch_size=11, verbose=False)
    assert len(history["loss"]) == 2
    # Without BatchNorm a batch of one is fine and kept.
    plain = MLP(2, [4], 1, batch_norm=False, seed=0)
    train(plain, (X, y), epochs=1, batch_size=11, verbose=False)


def test_progress_bar_only_when_verbose(capsys):
    X, y = blobs(10)
    train(MLP(2, [3], 1, seed=0), (X, y), epochs=2, batch_size=8, verbose=False)
    assert capsys.readouterr().err == ""
    train(MLP(2, [3], 1, seed=0), (X, y), epochs=2, batch_size=8, verbose=True)
    err = capsys.readouterr().err
    assert "train" in err and "2/2" in err


def test_accepts_tensors_and_column_labels():
    X, y = blobs(10)
    model = MLP(2, [3], 1, seed=0)
    history = train(
        model, (torch.as_tensor(X), torch.as_tensor(y)[:, None]), epochs=1, verbose=False
    )
    assert len(history["loss"]) == 1


def test_resolve_device(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu")
    assert resolve_device(torch.device("cpu")) == torch.device("cpu")
    with pytest.raises(ValueError, match="device='cuda' was requested but CUDA is not available"):
        resolve_device("cuda")
    with pytest.raises(ValueError, match="device must be 'auto', 'cpu', 'cuda'"):
        resolve_device("tpu-please")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setenv("LOCAL_RANK", "1")
    assert resolve_device("auto") == torch.device("cuda", 1)
    assert resolve_device("cuda:0") == torch.device("cuda", 0)


def test_bad_input_is_rejected_before_training():
    X, y = blobs(10)
    model = MLP(2, [3], 1, seed=0)
    before = copy.deepcopy(model.state_dict())
    cases = [
        (TypeError, r"train_data must be a pair \(X, y\)", dict(train_data=X)),
        (ValueError, r"train_data\[0\] \(X\) must be 2-D", dict(train_data=(X[:, 0], y))),
        (ValueError, "same number of samples, got 20 and 19", dict(train_data=(X, y[:-1]))),
        (ValueError, "contains NaN or infinity", dict(train_data=(np.full_like(X, np.nan), y))),
        (ValueError, r"labels must be in 0\.\.1 for a model with 1 output", dict(train_data=(X, y + 1))),
        (ValueError, "must hold integer class labels", dict(train_data=(X, y + 0.5))),
        (ValueError, r"must have shape \(n_samples,\) or \(n_samples, 1\)", dict(train_data=(X, np.c_[y, y]))),
        (TypeError, "must be numeric array-like", dict(train_data=(X, np.array(["a"] * 20)))),
        (ValueError, "x has 3 features, but this MLP expects input_dim=2", dict(train_data=(np.c_[X, X[:, 0]], y))),
        (ValueError, "val_data has 1 features but train_data has 2", dict(val_data=(X[:, :1], y))),
        (ValueError, "epochs must be in the range", dict(epochs=0)),
        (TypeError, "batch_size must be an int", dict(batch_size=8.0)),
        (ValueError, "lr must be in the range", dict(lr=-1.0)),
        (ValueError, r"gamma must be in the range \(0, 1\]", dict(gamma=0.0)),
        (ValueError, r"gamma must be in the range \(0, 1\]", dict(gamma=1.5)),
        (ValueError, "step_size must be in the range", dict(step_size=0)),
        (ValueError, "seed must be in the range", dict(seed=-1)),
        (TypeError, "verbose must be True or False", dict(verbose=1)),
        (ValueError, "device must be 'auto'", dict(device="gpu0")),
    ]  # fmt: skip
    for error, message, override in cases:
        kwargs = dict(train_data=(X, y), epochs=1, verbose=False) | override
        with pytest.raises(error, match=message):
            train(model, **kwargs)
    with pytest.raises(TypeError, match=r"model must be a torch\.nn\.Module"):
        train(lambda x: x, (X, y))
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    three = MLP(2, [3], 3, seed=0)
    with pytest.raises(ValueError, match=r"labels must be in 0\.\.2 for a model with 3 output"):
        train(three, (X, y + 2), epochs=1, verbose=False)


def test_optimizer_built_once_and_data_moved_once(monkeypatch):
    """The loop never rebuilds the optimizer, and the number of ``Tensor.to`` calls (device
    moves and casts) does not grow with the number of epochs or steps."""
    built = []

    class CountingAdam(torch.optim.Adam):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    moves = []
    original_to = torch.Tensor.to

    def counting_to(self, *args, **kwargs):
        moves.append(1)
        return original_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim, "Adam", CountingAdam)
    monkeypatch.setattr(torch.Tensor, "to", counting_to)
    X, y = blobs(40)
    counts = []
    for epochs in (1, 4):
        built.clear()
        moves.clear()
        train(MLP(2, [4], 1, seed=0), (X, y), (X, y), epochs=epochs, batch_size=4, verbose=False)
        counts.append(len(moves))
        assert len(built) == 1
    assert counts[0] == counts[1]  # 20 steps or 80 steps: the same number of moves


def test_finiteness_is_checked_after_the_cast_to_the_models_dtype():
    """A float64 1e39 is finite, but infinite in a float32 model: an error, not inf training."""
    X, y = blobs(10)
    big = X.astype(np.float64)
    big[3, 1] = 1e39
    model = MLP(2, [3], 1, seed=0)
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(ValueError, match=r"train_data\[0\] \(X\) holds values too large .* 1e\+39"):
        train(model, (big, y), epochs=1, device="cpu", verbose=False)
    with pytest.raises(ValueError, match=r"val_data\[0\] \(X\) holds values too large"):
        train(model, (X, y), (big, y), epochs=1, device="cpu", verbose=False)
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    # A float64 model holds 1e39 without overflow, so the same data are accepted there.
    train(MLP(2, [3], 1, batch_norm=False, seed=0).double(), (big, y), epochs=1, verbose=False)


def test_float64_data_trains_a_float32_model_as_float32_data_do():
    X, y = blobs(12)
    runs = []
    for data in (X.astype(np.float64), X):
        model = MLP(2, [4], 1, seed=0)
        runs.append((train(model, (data, y), epochs=2, device="cpu", verbose=False), model))
    assert runs[0][0] == runs[1][0]
    assert all(p.dtype == torch.float32 for p in runs[0][1].parameters())
    states = (runs[0][1].state_dict().values(), runs[1][1].state_dict().values())
    for a, b in zip(*states, strict=True):
        assert torch.equal(a, b)


def test_unusable_models_and_devices_are_clear_errors():
    X, y = blobs(10)
    mixed = MLP(2, [3], 1, seed=0)
    mixed.net[-1].double()
    with torch.device("meta"):
        on_meta = MLP(2, [3], 1)
    cases = [
        (TypeError, r"one floating-point dtype .* \['torch.float32', 'torch.float64'\]", mixed, {}),
        (ValueError, "model has no parameters to train", nn.ReLU(), {}),
        (ValueError, "model has tensors on the 'meta' device", on_meta, {}),
        (ValueError, "not on 'mps' devices", MLP(2, [3], 1), dict(device="mps")),
        (ValueError, "not on 'meta' devices", MLP(2, [3], 1), dict(device="meta")),
        (ValueError, r"train_data\[0\] \(X\) must be on the CPU or a CUDA device, got meta",
         MLP(2, [3], 1), dict(train_data=(torch.empty(20, 2, device="meta"), y))),
    ]  # fmt: skip
    for error, message, model, override in cases:
        kwargs = dict(train_data=(X, y), epochs=1, verbose=False) | override
        with pytest.raises(error, match=message):
            train(model, **kwargs)


def test_a_failing_model_is_left_in_its_mode():
    """The probe pass that counts the outputs restores train/eval mode even when it raises."""
    X, y = blobs(10)
    model = MLP(2, [3], 1, seed=0).train()
    with pytest.raises(ValueError, match="x has 3 features"):
        train(model, (np.c_[X, X[:, 0]], y), epochs=1, verbose=False)
    assert model.training


@pytest.mark.parametrize("batch_norm", [False, True])
def test_a_diverging_run_stops_and_restores_the_model(batch_norm):
    """lr=1e30 makes the weights overflow to NaN in the first epoch: an error, and the model
    (weights, BatchNorm statistics, mode) as it was before the call."""
    X, y = blobs(20)
    model = MLP(2, [4], 1, batch_norm=batch_norm, seed=0).train()
    before = copy.deepcopy(model.state_dict())
    with pytest.raises(
        RuntimeError, match=r"diverged: the loss became nan in epoch 1 \(lr=1e\+30\)"
    ):
        train(model, (X, y), epochs=3, batch_size=8, lr=1e30, device="cpu", verbose=False)
    assert model.training
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    # The restored model still trains normally.
    history = train(model, (X, y), epochs=2, batch_size=8, device="cpu", verbose=False)
    assert all(np.isfinite(history["loss"]))


def test_hyperparameters_as_fractions_are_used_as_numbers():
    from fractions import Fraction

    X, y = blobs(16)
    model = MLP(2, [4], 2)
    history = train(model, (X, y), epochs=1, lr=Fraction(1, 100), device="cpu", verbose=False)
    assert history["lr"] == [0.01]
