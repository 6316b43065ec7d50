r"""
Lesson 04 — The network in PyTorch: BatchNorm, Dropout, the five-step loop, attention
=====================================================================================

Lessons 01-03 wrote every gradient by hand. Here PyTorch's autograd traces the forward pass
and computes all gradients itself, so training shrinks to five lines:
``zero_grad → forward → loss → backward → step``. The network is the seed's MLP: blocks of
``Linear → BatchNorm1d → ReLU → Dropout`` (:class:`glassml.pytorch.MLP`), trained by
:func:`glassml.pytorch.train` with Adam on two Gaussian blobs at (2, 2) and (-2, -2) while
``StepLR`` halves the learning rate every 20 epochs. We look inside BatchNorm on one batch,
take one training step by hand, train, compare train and eval mode, save and reload the model,
and end with the attention of Transformers, :math:`\mathrm{softmax}(QK^\top/\sqrt{d_k})\,V`.

Run it: ``python src/glassml/lessons/04_neural_network_pytorch.py --dropout 0.5`` or
``.venv/bin/glassml lesson 4 --dropout 0.5`` (``--quick`` for smaller settings). The same file
runs on several processes with DistributedDataParallel, unchanged:
``torchrun --nproc_per_node=2 --master_addr=127.0.0.1 src/glassml/lessons/04_neural_network_pytorch.py``
(only rank 0 prints, saves and draws; ``--device cpu`` keeps every process on the CPU).

.. admonition:: Verified against
   :class: verified

   - :func:`glassml.pytorch.train` equals the seed's five-step loop written out by hand, weights
     and losses to 1e-12 in float64 (``tests/pytorch/test_training.py``).
   - BatchNorm in the MLP normalises with the batch's mean and biased variance in train mode,
     moves its running averages by momentum 0.1 (unbiased variance), and uses them in eval
     mode, to 1e-12 (``tests/pytorch/test_mlp.py``).
   - :class:`glassml.pytorch.ScaledDotProductAttention` equals
     ``torch.nn.functional.scaled_dot_product_attention`` to 1e-12 in float64, gradients too
     (``tests/pytorch/test_attention.py``).
   - A saved and reloaded model gives identical eval outputs
     (``tests/pytorch/test_persistence.py``); this lesson's printed numbers are checked in
     ``tests/lessons/test_lesson_04.py``.
"""

# %%
# Options
# -------
# ``--epochs``, ``--lr`` (Adam's starting rate), ``--dropout``, ``--hidden`` (widths, e.g.
# ``64,32``) and ``--batch-size`` change the model and its training; ``--device`` picks where it
# trains. PyTorch runs on the CPU here with one thread: for a network this small, more threads
# only wait on each other.
import copy
import sys
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from glassml.lessons._common import heading, lesson_args, lesson_parser, prepare_out, save_figure
from glassml.pytorch import (
    MLP,
    ScaledDotProductAttention,
    causal_mask,
    is_distributed,
    is_main_process,
    load,
    save,
    train,
    world_size,
)

parser = lesson_parser(__doc__, 4)
parser.add_argument("--epochs", type=int, default=None, help="epochs (default 60, quick 45)")
parser.add_argument("--lr", type=float, default=0.01, help="Adam's starting rate (0.01)")
parser.add_argument("--dropout", type=float, default=0.2, help="dropout probability (0.2)")
parser.add_argument("--hidden", default="32,16", help="hidden widths, comma-separated (32,16)")
parser.add_argument("--batch-size", type=int, default=32, help="samples per step (32)")
parser.add_argument("--device", default="auto", help="auto (CUDA when available), cpu, cuda")
args = lesson_args(parser)
try:
    HIDDEN = [int(width) for width in args.hidden.split(",")]
except ValueError:
    parser.error(f"--hidden must be comma-separated integers such as 32,16, got {args.hidden!r}")
if not HIDDEN or min(HIDDEN) < 1:
    parser.error(f"--hidden needs at least one width, each >= 1, got {args.hidden!r}")
if args.batch_size < 2:
    parser.error(
        f"--batch-size must be at least 2 (BatchNorm needs two samples), got {args.batch_size}"
    )
EPOCHS = args.epochs or (45 if args.quick else 60)
N_PER_CLASS = 150 if args.quick else 600

# Every process of a torchrun job trains; only the main one talks, saves and draws.
talk = is_main_process()
say = print if talk else (lambda *a, **k: None)
out = prepare_out(args.out) if talk else args.out
section = heading if talk else say
threads = torch.get_num_threads()
torch.set_num_threads(1)

# %%
# 1. Data: two Gaussian blobs
# ---------------------------
# Class 0 around (2, 2), class 1 around (-2, -2), unit variance; 80% to train on, 20% held out.

section("1. Data: two Gaussian blobs")
rng = np.random.default_rng(0)
X = np.vstack(
    [rng.normal((2.0, 2.0), 1.0, (N_PER_CLASS, 2)), rng.normal((-2.0, -2.0), 1.0, (N_PER_CLASS, 2))]
).astype(np.float32)
y = np.repeat([0, 1], N_PER_CLASS)
order = rng.permutation(len(X))
X, y = X[order], y[order]
n_train = int(0.8 * len(X))
X_train, y_train, X_val, y_val = X[:n_train], y[:n_train], X[n_train:], y[n_train:]
say(f"  {len(X)} points: {len(X_train)} to train on, {len(X_val)} held out for validation.")
if is_distributed():
    say(
        f"  Running as {world_size()} processes (DistributedDataParallel): each process "
        "trains on its own shard of every batch and the gradients are averaged."
    )

# %%
# 2. The model, and what BatchNorm computes
# -----------------------------------------
# Each hidden block is ``Linear → BatchNorm1d → ReLU → Dropout``, chained in one
# ``nn.Sequential``; a last ``Linear`` gives one logit, and ``BCEWithLogitsLoss`` applies the
# sigmoid inside the loss in its numerically stable form.
#
# .. literalinclude:: /../src/glassml/pytorch/mlp.py
#    :pyobject: MLP.__init__
#    :caption: glassml/pytorch/mlp.py: MLP.__init__
#
# **BatchNorm** keeps each feature of a layer's output on a steady scale while the layers below
# it change. In train mode it normalises with the statistics of the current mini-batch
# :math:`B`, then applies a learnable scale :math:`\gamma` and shift :math:`\beta`, and updates
# running averages (momentum :math:`m = 0.1`) for later:
#
# .. math::
#
#    \mu_B = \frac{1}{|B|}\sum_{i \in B} z_i, \qquad
#    \sigma_B^2 = \frac{1}{|B|}\sum_{i \in B} (z_i - \mu_B)^2, \qquad
#    \mathrm{BN}(z) = \gamma\,\frac{z - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}} + \beta
#
# .. math::
#
#    \mu_{\text{run}} \leftarrow (1-m)\,\mu_{\text{run}} + m\,\mu_B, \qquad
#    \sigma^2_{\text{run}} \leftarrow (1-m)\,\sigma^2_{\text{run}}
#        + m\,\tfrac{|B|}{|B|-1}\,\sigma_B^2
#
# In eval mode it uses :math:`\mu_{\text{run}}, \sigma^2_{\text{run}}` instead, so a single
# sample can be predicted. **Dropout** zeroes each activation with probability :math:`p` in
# train mode and scales the survivors by :math:`1/(1-p)`; in eval mode it is the identity.
# Below, one batch goes through the first Linear and BatchNorm of a copy of the model.

section("2. The model, and BatchNorm on one batch")
model = MLP(2, HIDDEN, 1, dropout=args.dropout, seed=0)
say(model)
say(f"  {sum(p.numel() for p in model.parameters())} parameters.")
probe: Any = copy.deepcopy(model).train()  # a copy: a train-mode pass moves the running averages
linear, bn = probe.net[0], probe.net[1]
X_batch = torch.as_tensor(X_train[: args.batch_size])
with torch.no_grad():
    z = linear(X_batch)
    bn_out = bn(z)
    mu_B, var_B = z.mean(0), z.var(0, unbiased=False)
    by_hand = (z - mu_B) / torch.sqrt(var_B + bn.eps) * bn.weight + bn.bias
shown = min(4, z.shape[1])
say(f"  A batch of {len(z)} samples through Linear(2, {HIDDEN[0]}); first {shown} features:")
say(f"    batch mean  mu_B    = {np.round(mu_B[:shown].numpy(), 4)}")
say(f"    batch var   sigma_B^2 = {np.round(var_B[:shown].numpy(), 4)} (biased: divides by |B|)")
say(
    f"    after BN: mean {np.round(bn_out.mean(0)[:shown].numpy(), 4)}, "
    f"variance {np.round(bn_out.var(0, unbiased=False)[:shown].numpy(), 4)} (gamma=1, beta=0)"
)
say(
    f"    BN output vs the formula by hand: largest difference "
    f"{float((bn_out - by_hand).abs().max()):.1e}"
)
say(
    f"    running mean now {np.round(bn.running_mean[:shown].numpy(), 4)} = 0.1 × mu_B; "
    f"running var {np.round(bn.running_var[:shown].numpy(), 4)} = 0.9 + 0.1 × unbiased var"
)

# %%
# 3. One training step, by hand: the five-step loop
# -------------------------------------------------
# Every step of :func:`glassml.pytorch.train` is the same five lines:
#
# 1. ``optimizer.zero_grad()`` — clear the gradients: PyTorch *adds* each backward pass into
#    ``.grad``;
# 2. ``logits = model(X_b)`` — forward pass (autograd records the graph);
# 3. ``loss = loss_fn(logits, y_b)`` — here :math:`\mathrm{BCE}(\sigma(\text{logit}), y)`;
# 4. ``loss.backward()`` — autograd walks the graph backwards and fills every ``.grad``;
# 5. ``optimizer.step()`` — update every parameter (Adam, lesson 03).
#
# .. literalinclude:: /../src/glassml/pytorch/training.py
#    :pyobject: _train_epoch
#    :caption: glassml/pytorch/training.py: _train_epoch
#
# Below, the five steps run once on a copy of the model, with a look at what each did.

section("3. One step by hand: zero_grad, forward, loss, backward, step")
step_model: Any = copy.deepcopy(model).train()
optimizer = torch.optim.Adam(step_model.parameters(), lr=args.lr)
loss_fn = torch.nn.BCEWithLogitsLoss()
y_batch = torch.as_tensor(y_train[: args.batch_size], dtype=torch.float32)[:, None]
W = step_model.net[0].weight  # the first Linear's weights, watched through the step
torch.manual_seed(0)  # the same dropout masks in every forward pass of this section
optimizer.zero_grad()  # 1
logits = step_model(X_batch)  # 2
loss = loss_fn(logits, y_batch)  # 3
loss.backward()  # 4
grad_once, W_before = W.grad.clone(), W.detach().clone()
optimizer.step()  # 5
say(f"  forward: {tuple(logits.shape)} logits; loss {loss.item():.4f}")
say(f"  backward: |dLoss/dW1| = {float(grad_once.norm()):.4f} (the first Linear's weights)")
say(
    f"  step: W1 moved by at most {float((W.detach() - W_before).abs().max()):.5f} "
    f"(Adam's first step is about lr = {args.lr:g} per weight)"
)
twice: Any = copy.deepcopy(model).train()
for _ in range(2):  # two backward passes with no zero_grad between them
    torch.manual_seed(0)
    loss_fn(twice(X_batch), y_batch).backward()
accumulated = float(twice.net[0].weight.grad.norm() / grad_once.norm())
say(f"  without zero_grad a second backward ADDS: .grad is then {accumulated:.2f}× the gradient")

# %%
# 4. Training: Adam, StepLR, and what the training curves measure
# ---------------------------------------------------------------
# :func:`glassml.pytorch.train` runs the loop over shuffled mini-batches for every epoch, then
# lets ``StepLR`` multiply the rate by 0.5 every 20 epochs: large steps first for fast progress,
# smaller ones later for precision,
#
# .. math::
#
#    \eta_e = \eta_0 \cdot 0.5^{\lfloor e / 20 \rfloor}.
#
# **Read the curves with care.** The training loss and accuracy are recorded *during* the
# epoch, in train mode: dropout is switching units off, and the weights still change from batch
# to batch. The validation numbers are measured after the epoch in eval mode, dropout off. That
# is why the validation loss can sit *below* the training loss: the training figure is taken
# with a handicap. The star measures the training set in eval mode after the last epoch.

section("4. Training: Adam, StepLR halving the rate every 20 epochs")
history = train(
    model,
    (X_train, y_train),
    (X_val, y_val),
    epochs=EPOCHS,
    batch_size=args.batch_size,
    lr=args.lr,
    step_size=20,
    gamma=0.5,
    device=args.device,
    seed=0,
    verbose=talk and not args.quick and sys.stderr.isatty(),
)
if not talk:  # under torchrun, the other processes are done: rank 0 reports
    raise SystemExit(0)
model = model.cpu().eval()
print(f"  {'epoch':>5}  {'loss':>7}  {'acc':>6}  {'val loss':>8}  {'val acc':>7}  {'lr':>8}")
for e, rate in enumerate(history["lr"]):
    note = ""
    if e > 0 and rate != history["lr"][e - 1]:
        note = f"  <- StepLR: rate x {rate / history['lr'][e - 1]:g}"
    print(
        f"  {e + 1:>5}  {history['loss'][e]:7.4f}  {history['accuracy'][e]:6.3f}  "
        f"{history['val_loss'][e]:8.4f}  {history['val_accuracy'][e]:7.3f}  {rate:8.5f}{note}"
    )
changes = [e for e in range(1, EPOCHS) if history["lr"][e] != history["lr"][e - 1]]
print(
    f"  StepLR changed the rate after epochs {', '.join(map(str, changes)) or 'none'}: "
    f"from {history['lr'][0]:g} down to {history['lr'][-1]:g}."
)
with torch.no_grad():
    train_logits = model(torch.as_tensor(X_train))
    targets = torch.as_tensor(y_train, dtype=torch.float32)[:, None]
    eval_loss = float(loss_fn(train_logits, targets))
    eval_accuracy = float(((train_logits > 0).float() == targets).float().mean())
last_train, last_val = history["loss"][-1], history["val_loss"][-1]
print(
    f"  Last epoch: training loss {last_train:.4f} (train mode, dropout {args.dropout:g}), "
    f"validation loss {last_val:.4f} (eval mode)."
)
print(
    f"  The training set in eval mode (dropout off): loss {eval_loss:.4f}, accuracy "
    f"{eval_accuracy:.3f}."
)
if last_val < last_train:
    closed = (last_train - eval_loss) / (last_train - last_val)
    print(
        f"  Validation loss is below the recorded training loss; eval mode (dropout off) closes "
        f"{closed:.0%} of that gap on the training set itself."
    )
from glassml.plotting import pytorch_figs  # noqa: E402  (after prepare_out: headless backend)

fig = pytorch_figs.training_curves(
    history, f"MLP {HIDDEN} on two blobs, dropout {args.dropout:g}", (eval_loss, eval_accuracy)
)
save_figure(fig, out, "pytorch_training_curves.png")

# %%
# 5. Train mode vs eval mode
# --------------------------
# In train mode two passes over the same points differ (fresh dropout masks, batch
# statistics); in eval mode they are identical. BatchNorm's running averages, built up over
# the last batches of training, should now be close to the statistics of the whole training
# set seen through the trained first layer.

heading("5. Train mode vs eval mode: BatchNorm and Dropout")
Xv = torch.as_tensor(X_val)
train_mode = copy.deepcopy(model).train()
with torch.no_grad():
    a, b = train_mode(Xv), train_mode(Xv)
    c, d = model(Xv), model(Xv)
    z_all = model.net[0](torch.as_tensor(X_train))
trained_bn: Any = model.net[1]
print(
    f"  Two train-mode passes over {len(Xv)} points differ by up to "
    f"{float((a - b).abs().max()):.4f} in the logits; two eval-mode passes by "
    f"{float((c - d).abs().max()):g}."
)
print(f"  First BatchNorm, first {shown} features after training:")
print(
    f"    running mean {np.round(trained_bn.running_mean[:shown].numpy(), 3)}   "
    f"training-set mean {np.round(z_all.mean(0)[:shown].numpy(), 3)}"
)
print(
    f"    running var  {np.round(trained_bn.running_var[:shown].numpy(), 3)}   "
    f"training-set var  {np.round(z_all.var(0)[:shown].numpy(), 3)}"
)

# %%
# 6. Save, reload, predict again
# ------------------------------
# :func:`glassml.pytorch.save` stores the weights with the constructor arguments;
# :func:`glassml.pytorch.load` rebuilds the model with ``torch.load(weights_only=True)``, which
# never runs code from the file. The reloaded model draws the decision boundary.

heading("6. Save, reload, predict again")
path = save(model, out / "mlp_blobs.pt")
reloaded = load(path)
with torch.no_grad():
    before, after = model(Xv), reloaded(Xv)
print(f"  Saved weights + constructor arguments to {path} ({path.stat().st_size} bytes).")
print(
    f"  Reloaded: logits identical = {bool(torch.equal(before, after))}, largest difference "
    f"{float((before - after).abs().max()):g} over {len(Xv)} validation points."
)
print(f"  Final validation accuracy {history['val_accuracy'][-1]:.3f}.")


def predict_proba(grid: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        return torch.sigmoid(reloaded(torch.as_tensor(grid, dtype=torch.float32))).numpy()[:, 0]


fig = pytorch_figs.decision_boundary(X_val, y_val, predict_proba, "Reloaded MLP: P(class 1)")
save_figure(fig, out, "pytorch_decision_boundary.png")

# %%
# 7. Attention: softmax(QKᵀ/√d_k)·V
# ---------------------------------
# The core of Transformers. Each query is compared with every key by a dot product; the
# scores are divided by :math:`\sqrt{d_k}` (without it they grow with the dimension and the
# softmax saturates, so its gradients vanish); softmax turns each row into weights that sum to
# 1; the output is the weighted mix of the values:
#
# .. math::
#
#    \mathrm{Attention}(Q, K, V) = \mathrm{softmax}\!\left(\frac{QK^\top}{\sqrt{d_k}}\right) V
#
# A causal mask (GPT-style) hides the future: position :math:`i` may look only at
# :math:`j \le i`. Masked scores are set to :math:`-\infty` before the softmax, so they get
# weight exactly 0 — in the figure they are hatched and labelled "masked", because a 0 there
# is a rule, not something the model learned.
#
# .. literalinclude:: /../src/glassml/pytorch/attention.py
#    :pyobject: ScaledDotProductAttention.forward
#    :caption: glassml/pytorch/attention.py: ScaledDotProductAttention.forward

heading("7. Attention: softmax(QKᵀ/√d_k)·V on a toy sentence")
tokens = "the cat sat on the mat".split()
vocab = sorted(set(tokens))
table = np.random.default_rng(4).normal(size=(len(vocab), 16))  # a random 16-d vector per word
E = torch.as_tensor(table[[vocab.index(t) for t in tokens]])[None]  # (1, L, 16)
mask = causal_mask(len(tokens))
output, weights = ScaledDotProductAttention()(E, E, E, mask)
reference = F.scaled_dot_product_attention(E, E, E, is_causal=True)
w = weights[0].numpy()
print(
    f"  Queries = keys = values = the word vectors (L = {len(tokens)}, d_k = 16). A vector is "
    f"most similar to itself: 'cat' puts {w[1, 1]:.3f} of its attention on itself."
)
print(
    f"  The second 'the' (position 4) finds the first one exactly as similar: {w[4, 0]:.3f} "
    f"on position 0, {w[4, 4]:.3f} on itself; {int((~mask).sum())} future cells are masked "
    f"(weight {float(w[~mask.numpy()].max()):g})."
)
print(
    f"  Every row sums to 1 (largest deviation {float(np.abs(w.sum(1) - 1).max()):.1e}); "
    f"F.scaled_dot_product_attention agrees to {float((output - reference).abs().max()):.1e}."
)
fig = pytorch_figs.attention_heatmap(
    w, tokens, "Causal self-attention on a toy sentence", mask=mask.numpy()
)
save_figure(fig, out, "pytorch_attention.png")
torch.set_num_threads(threads)

# %%
# Try this
# --------
# 1. ``glassml lesson 4 --dropout 0``: does the validation loss still sit below the training
#    loss? What does that tell you about the gap with dropout on?
# 2. ``glassml lesson 4 --lr 0.1`` and ``--lr 0.001``: how do the first epochs and the StepLR
#    halvings change the curves?
# 3. ``glassml lesson 4 --batch-size 4``: BatchNorm now normalises with the statistics of 4
#    samples. How noisy do the training curves get?
# 4. ``glassml lesson 4 --hidden 8`` versus ``--hidden 128,64``: how many parameters does the
#    task need?
