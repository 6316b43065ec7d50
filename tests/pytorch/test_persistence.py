"""save/load: identical eval outputs after a round trip; anything else is a clear error."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
import torch
from torch import nn

from glassml.pytorch import MLP, load, save, train
from glassml.pytorch.persistence import FORMAT


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(2, 1, (30, 2)), rng.normal(-2, 1, (30, 2))]).astype(np.float32)
    y = np.repeat([0, 1], 30)
    model = MLP(2, [8, 4], 1, dropout=0.3, seed=0)
    train(model, (X, y), epochs=3, batch_size=16, device="cpu", verbose=False)
    return model, torch.as_tensor(X)


def test_round_trip_gives_identical_eval_outputs(trained, tmp_path):
    model, X = trained
    path = save(model, tmp_path / "model.pt")
    loaded = load(path)
    assert isinstance(loaded, MLP) and not loaded.training
    assert loaded.config == model.config
    # BatchNorm running statistics travel too (they are not parameters).
    assert not torch.equal(loaded.net[1].running_mean, torch.zeros(8))
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    with torch.no_grad():
        assert torch.equal(loaded(X), model.eval()(X))


@pytest.mark.parametrize(
    "kwargs", [dict(hidden_dims=[]), dict(hidden_dims=[3], batch_norm=False, dropout=0.0)]
)
def test_round_trip_other_architectures(kwargs, tmp_path):
    model = MLP(input_dim=4, output_dim=3, seed=1, **kwargs).eval()
    loaded = load(save(model, tmp_path / "m.pt"))
    x = torch.randn(5, 4, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))
    assert loaded.config == model.config


def test_checkpoint_is_a_plain_dict(trained, tmp_path):
    model, _ = trained
    checkpoint = torch.load(save(model, tmp_path / "m.pt"), weights_only=True)
    assert set(checkpoint) == {"format", "version", "config", "state_dict"}
    assert checkpoint["format"] == FORMAT and checkpoint["version"] == 1


class _Boom:
    """Pickling this object records a call that would create a file when unpickled."""

    def __init__(self, target):
        self.target = target

    def __reduce__(self):
        return (open, (str(self.target), "w"))


def test_not_a_glassml_checkpoint(tmp_path):
    bad = {
        "random bytes": b"\x00\x01garbage" * 10,
        "a text file": b"hello, I am not a model\n",
    }
    for name, payload in bad.items():
        path = tmp_path / f"{name}.pt"
        path.write_bytes(payload)
        with pytest.raises(ValueError, match="is not a glassml checkpoint"):
            load(path)
    tensor_file = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), tensor_file)
    with pytest.raises(
        ValueError, match=r"not a glassml checkpoint: expected a dict .* got Tensor"
    ):
        load(tensor_file)
    plain_state = tmp_path / "state.pt"
    torch.save(nn.Linear(2, 1).state_dict(), plain_state)
    with pytest.raises(ValueError, match="with format=None"):
        load(plain_state)
    npz = tmp_path / "weights.npz"
    np.savez(npz, W=np.zeros(3))
    with pytest.raises(ValueError, match="is not a glassml checkpoint"):
        load(npz)


def test_loading_never_runs_code_from_the_file(tmp_path):
    marker = tmp_path / "pwned.txt"
    path = tmp_path / "evil.pt"
    with open(path, "wb") as f:
        pickle.dump({"format": FORMAT, "payload": _Boom(marker)}, f, protocol=2)
    with pytest.raises(ValueError, match="is not a glassml checkpoint"):
        load(path)
    assert not marker.exists()


def test_wrong_version_and_damaged_checkpoints(trained, tmp_path):
    model, _ = trained
    checkpoint = torch.load(save(model, tmp_path / "m.pt"), weights_only=True)
    path = tmp_path / "v2.pt"
    torch.save(checkpoint | {"version": 2}, path)
    with pytest.raises(ValueError, match="of version 2; this glassml reads version 1"):
        load(path)
    torch.save(checkpoint | {"config": checkpoint["config"] | {"hidden_dims": [9, 4]}}, path)
    with pytest.raises(ValueError, match=r"damaged glassml checkpoint: (?s:.*)size mismatch"):
        load(path)
    torch.save({k: v for k, v in checkpoint.items() if k != "config"}, path)
    with pytest.raises(ValueError, match="damaged glassml checkpoint"):
        load(path)


def test_missing_file_and_bad_save_arguments(trained, tmp_path):
    model, _ = trained
    with pytest.raises(FileNotFoundError, match="no checkpoint at"):
        load(tmp_path / "nope.pt")
    with pytest.raises(TypeError, match=r"model must be a glassml\.pytorch\.MLP"):
        save(nn.Linear(2, 1), tmp_path / "x.pt")
    with pytest.raises(ValueError, match="does not exist"):
        save(model, tmp_path / "no" / "such" / "dir" / "m.pt")


def test_only_rank_zero_writes(trained, tmp_path, monkeypatch):
    model, _ = trained
    monkeypatch.setenv("RANK", "1")
    path = save(model, tmp_path / "rank1.pt")
    assert not path.exists()
    monkeypatch.setenv("RANK", "0")
    assert save(model, path).exists()


def test_load_onto_a_missing_gpu_is_a_clear_error(trained, tmp_path, monkeypatch):
    model, X = trained
    path = save(model, tmp_path / "m.pt")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ValueError, match="CUDA is not available"):
        load(path, device="cuda")
    with torch.no_grad():
        assert torch.equal(load(path, device="auto")(X), model.eval()(X))  # auto: the CPU here


def test_save_to_a_directory_is_a_clear_error(trained, tmp_path):
    model, _ = trained
    with pytest.raises(ValueError, match=r"is a directory; give a file name in it, such as"):
        save(model, tmp_path)
    with torch.device("meta"):
        skeleton = MLP(2, [3], 1)
    with pytest.raises(ValueError, match="'meta' device"):
        save(skeleton, tmp_path / "meta.pt")
    assert list(tmp_path.iterdir()) == []


def _crafted(trained, tmp_path, *, config=None, **state):
    """A checkpoint of the trained model with some config entries or tensors replaced."""
    model, _ = trained
    checkpoint = torch.load(save(model, tmp_path / "good.pt"), weights_only=True)
    checkpoint["config"] |= config or {}
    checkpoint["state_dict"] |= state
    path = tmp_path / "crafted.pt"
    torch.save(checkpoint, path)
    return path


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("net.0.weight", torch.full((8, 2), float("nan")), "'net.0.weight' contains NaN"),
        ("net.4.bias", torch.tensor([float("inf"), 0.0, 0.0, 0.0]), "contains NaN or inf"),
        ("net.1.running_var", -torch.ones(8), "a variance.* negative"),
        ("net.0.weight", torch.zeros(8, 2, dtype=torch.complex64), "dtype torch.complex64"),
        ("net.0.weight", torch.zeros(8, 2, dtype=torch.int64), "dtype torch.int64"),
        ("net.0.bias", torch.zeros(8, dtype=torch.float64), "share one dtype"),
        ("net.0.weight", "not a tensor", r"size mismatch for 'net.0.weight': .* got str"),
        ("extra", torch.zeros(1), r"unexpected keys \['extra'\]"),
    ],
)
def test_crafted_weights_are_refused(trained, tmp_path, key, value, message):
    path = _crafted(trained, tmp_path, **{key: value})
    with pytest.raises(ValueError, match=f"damaged glassml checkpoint: .*{message}"):
        load(path)


def test_crafted_huge_shapes_are_refused_before_allocating(trained, tmp_path, monkeypatch):
    """A config of 2**20 hidden units with the file's 8: the mismatch is found on the meta
    device, so no real tensor of that size is ever created (and initialised)."""
    created = []
    original = nn.init.kaiming_uniform_

    def recording(tensor, *args, **kwargs):
        if not tensor.is_meta:
            created.append(tensor.numel())
        return original(tensor, *args, **kwargs)

    monkeypatch.setattr(nn.init, "kaiming_uniform_", recording)
    path = _crafted(trained, tmp_path, config={"hidden_dims": [2**20, 4]})
    created.clear()
    with pytest.raises(ValueError, match=r"size mismatch for 'net.0.weight': expected \(1048576"):
        load(path)
    assert created == []
    for config in ({"hidden_dims": "many"}, {"dropout": 2.0}, {"seed": "x"}):
        with pytest.raises(ValueError, match="damaged glassml checkpoint: bad config"):
            load(_crafted(trained, tmp_path, config=config))


def test_a_float64_model_comes_back_in_float64(tmp_path):
    model = MLP(3, [4], 2, seed=0).double().eval()
    loaded = load(save(model, tmp_path / "m.pt"))
    x = torch.randn(5, 3, dtype=torch.float64, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.equal(loaded(x), model(x))
