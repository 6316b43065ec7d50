"""Logistic regression by gradient descent: sigmoid for two classes, softmax for more (seed 05)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, check_X_y, validate_data

from glassml._validation import check_positive, check_scalar_number

__all__ = ["LogisticRegression"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    """``σ(z) = 1 / (1 + e⁻ᶻ)`` without overflow: only ``exp(-|z|) ∈ (0, 1]`` is evaluated."""
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _log_softmax(Z: np.ndarray) -> np.ndarray:
    """``log softmax`` of each row, shifted by the row maximum (log-sum-exp) so ``exp`` ≤ 1."""
    Z = Z - Z.max(axis=1, keepdims=True)
    return Z - np.log(np.exp(Z).sum(axis=1, keepdims=True))


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Unpenalised logistic regression trained by full-batch gradient descent.

    Two classes use the seed's sigmoid model; three or more use its multinomial (softmax)
    generalisation. Labels may be of any type (ints, strings, …); they are kept in
    ``classes_``.

    Parameters
    ----------
    learning_rate : float, default=0.1
        Step size ``lr`` of gradient descent. Must be > 0.
    max_iter : int, default=1000
        Maximum number of gradient-descent steps. Must be >= 1.
    tol : float, default=1e-6
        Stop once the largest absolute entry of the gradient (weights and intercepts) is
        ``<= tol``. Must be >= 0; ``0`` always runs ``max_iter`` steps.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The sorted distinct labels seen in ``fit``.
    coef_ : ndarray of shape (1, n_features) for two classes, else (n_classes, n_features)
        Weights (scikit-learn's layout).
    intercept_ : ndarray of shape (1,) or (n_classes,)
        Biases.
    n_iter_ : int
        Gradient-descent steps taken.
    loss_history_ : list of float
        Mean cross-entropy at each iterate: at the start and after each step, so
        ``n_iter_ + 1`` values.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Notes
    -----
    **Two classes** (``y ∈ {0, 1}``, 1 = ``classes_[1]``)::

        p = σ(X w + b)                      # P(y = 1 | x)
        L = -(1/n) Σ [y log p + (1 - y) log(1 - p)]
        ∂L/∂w = Xᵀ (p - y) / n,   ∂L/∂b = mean(p - y)

    The sigmoid's derivative ``p(1 - p)`` cancels the log-loss's ``1 / (p(1 - p))``, which is
    why the gradient is so simple. The loss is evaluated as ``mean(log(1 + e^z) - y z)``
    (``np.logaddexp``), never as ``log(σ(z))``, so it stays finite for ``|z|`` in the
    thousands.

    **K ≥ 3 classes** (``Y`` one-hot of shape (n, K))::

        P = softmax(X W + b)                # row-wise, shifted by the row maximum
        L = -(1/n) Σ log P[i, yᵢ]
        ∂L/∂W = Xᵀ (P - Y) / n,   ∂L/∂b = mean(P - Y, axis=0)

    Without a penalty the multinomial weights are defined only up to adding the same vector
    to every class (softmax ignores it); starting from zero, gradient descent keeps
    ``Σ_k W[:, k] = 0``. Probabilities and predictions are unaffected. On linearly separable
    data the unpenalised optimum is at infinity: the weights keep growing until ``max_iter``.

    Examples
    --------
    >>> import numpy as np
    >>> from glassml.linear_model import LogisticRegression
    >>> X = np.array([[-2.0], [-1.0], [0.5], [1.0], [2.0]])
    >>> model = LogisticRegression(learning_rate=1.0).fit(X, ["no", "yes", "no", "yes", "yes"])
    >>> model.predict([[3.0]]).tolist(), model.classes_.tolist()
    (['yes'], ['no', 'yes'])
    """

    def __init__(self, learning_rate: float = 0.1, max_iter: int = 1000, tol: float = 1e-6) -> None:
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def _check_params(self) -> None:
        check_positive(self.learning_rate, "learning_rate")
        check_positive(self.max_iter, "max_iter", integer=True)
        check_scalar_number(self.tol, "tol", low=0)

    def fit(self, X: Any, y: Any) -> LogisticRegression:
        """Fit the weights by gradient descent on the cross-entropy.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training inputs; finite numbers.
        y : array-like of shape (n_samples,)
            Class labels (at least two distinct values; continuous targets are rejected).

        Returns
        -------
        self : LogisticRegression
            The fitted estimator.
        """
        self._check_params()
        # NOTE: check_X_y is stateless and the fit below writes to locals; attributes (and
        # n_features_in_) are set only at the end, so a failed refit changes nothing.
        X_in = X
        X, y = check_X_y(X, y, dtype=np.float64, estimator=self)
        check_classification_targets(y)
        classes, y_idx = np.unique(y, return_inverse=True)
        if len(classes) < 2:
            raise ValueError(
                f"LogisticRegression needs samples of at least 2 classes in y, got only one "
                f"class: {classes[0]!r}."
            )
        n_samples, n_features = X.shape
        n_outputs = 1 if len(classes) == 2 else len(classes)
        # Targets: y ∈ {0, 1} as a column for two classes, one-hot Y for more.
        if n_outputs == 1:
            Y = y_idx.reshape(-1, 1).astype(np.float64)  # (n_samples, 1)
        else:
            Y = np.zeros((n_samples, n_outputs))
            Y[np.arange(n_samples), y_idx] = 1.0  # (n_samples, n_classes)

        W = np.zeros((n_features, n_outputs))
        b = np.zeros(n_outputs)
        lr = float(self.learning_rate)
        history: list[float] = []
        converged = False
        n_iter = 0
        for n_iter in range(self.max_iter + 1):
            Z = X @ W + b  # (n_samples, n_outputs)
            if n_outputs == 1:
                P = _sigmoid(Z)
                history.append(float(np.mean(np.logaddexp(0.0, Z) - Y * Z)))
            else:
                log_P = _log_softmax(Z)
                P = np.exp(log_P)
                history.append(float(-np.mean(log_P[np.arange(n_samples), y_idx])))
            G = P - Y  # ∂L/∂Z · n, (n_samples, n_outputs)
            dW = X.T @ G / n_samples
            db = G.mean(axis=0)
            if max(np.abs(dW).max(), np.abs(db).max()) <= self.tol:
                converged = True
                break
            if n_iter == self.max_iter:
                break
            W -= lr * dW
            b -= lr * db
        if not converged and self.tol > 0:
            warnings.warn(
                f"LogisticRegression did not reach tol={self.tol} in max_iter={self.max_iter} "
                "steps; raise max_iter or learning_rate (or the data is separable).",
                ConvergenceWarning,
                stacklevel=2,
            )
        validate_data(self, X_in, skip_check_array=True)  # records n_features_in_
        self.classes_ = classes
        self.coef_ = W.T.copy()
        self.intercept_ = b
        self.n_iter_ = n_iter
        self.loss_history_ = history
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The linear scores ``X Wᵀ + b``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        scores : ndarray of shape (n_samples,) for two classes, else (n_samples, n_classes)
            For two classes, the log-odds of ``classes_[1]``.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float64, reset=False)
        Z = X @ self.coef_.T + self.intercept_
        return Z[:, 0] if Z.shape[1] == 1 else Z

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Rows sum to 1.
        """
        Z = self.decision_function(X)
        if Z.ndim == 1:
            # NOTE: 1 - σ(z) loses all digits when σ(z) ≈ 1; σ(-z) is the same number, exactly.
            return np.column_stack([_sigmoid(-Z), _sigmoid(Z)])
        return np.exp(_log_softmax(Z))

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba`, computed without taking ``log`` of 0.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
        """
        Z = self.decision_function(X)
        if Z.ndim == 1:
            return -np.logaddexp(0.0, -np.column_stack([-Z, Z]))  # log σ(z) = -log(1 + e⁻ᶻ)
        return _log_softmax(Z)

    def predict(self, X: Any) -> np.ndarray:
        """The most probable class of each row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            Labels from ``classes_``.
        """
        Z = self.decision_function(X)
        idx = (Z > 0).astype(np.intp) if Z.ndim == 1 else Z.argmax(axis=1)
        return self.classes_[idx]
