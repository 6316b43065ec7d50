"""Helpers shared by the forests and the boosting estimators."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


def refit_safely(estimator: Any, fit: Callable[[], None]) -> None:
    """Run ``fit()``; if it raises, put back every attribute of ``estimator`` as it was.

    ``fit`` validates, computes into locals and assigns the fitted attributes last, but
    ``validate_data`` sets ``n_features_in_`` early: a failed fit must not leave that (or
    anything else) changed on an already fitted model.
    """
    previous = dict(estimator.__dict__)
    try:
        fit()
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(previous)
        raise


def store_params(estimator: Any, arguments: dict[str, Any]) -> None:
    """Store ``__init__``'s arguments unchanged, one attribute each (scikit-learn's contract).

    Called as ``store_params(self, locals())`` first thing in ``__init__``: validation waits
    for ``fit``.
    """
    for name, value in arguments.items():
        if name not in ("self", "__class__"):
            setattr(estimator, name, value)
