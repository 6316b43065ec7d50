"""A random convex quadratic over a list of parameter arrays, shared by the optimizer tests.

f(x) = ½ xᵀAx − bᵀx with x the concatenation of the flattened parameters; its gradient
A x − b is split back into one array per parameter, like a network's [dW1, db1, ...].
"""

from __future__ import annotations

import numpy as np

SHAPES = [(3, 4), (4,), (4, 2), (2,)]


class Quadratic:
    def __init__(self, seed: int = 0, shapes: list[tuple[int, ...]] = SHAPES) -> None:
        rng = np.random.default_rng(seed)
        self.shapes = shapes
        self.sizes = [int(np.prod(s)) for s in shapes]
        n = sum(self.sizes)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        self.A = Q @ np.diag(rng.uniform(0.5, 5.0, n)) @ Q.T
        self.b = rng.standard_normal(n)
        self.x0 = rng.standard_normal(n)

    def split(self, x: np.ndarray) -> list[np.ndarray]:
        parts = np.split(x, np.cumsum(self.sizes)[:-1])
        return [part.reshape(shape).copy() for part, shape in zip(parts, self.shapes, strict=True)]

    def initial_params(self) -> list[np.ndarray]:
        return self.split(self.x0)

    def gradients(self, params: list[np.ndarray]) -> list[np.ndarray]:
        x = np.concatenate([p.ravel() for p in params])
        return self.split(self.A @ x - self.b)
