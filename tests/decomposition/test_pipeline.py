"""PCA, GaussianNB and KNN inside scikit-learn's Pipeline and GridSearchCV, next to sklearn's own."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA as SkPCA
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB as SkGaussianNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from glassml.decomposition import PCA
from glassml.naive_bayes import GaussianNB
from glassml.neighbors import KNNClassifier


def test_grid_search_over_pca_and_naive_bayes_matches_sklearn():
    X, y = load_digits(return_X_y=True)
    grid = {"pca__n_components": [5, 20], "gaussiannb__var_smoothing": [1e-9, 1e-2]}
    ours = GridSearchCV(make_pipeline(PCA(), GaussianNB()), grid, cv=3).fit(X, y)
    ref = GridSearchCV(make_pipeline(SkPCA(), SkGaussianNB()), grid, cv=3).fit(X, y)
    assert ours.best_params_ == ref.best_params_
    np.testing.assert_allclose(
        ours.cv_results_["mean_test_score"], ref.cv_results_["mean_test_score"], atol=1e-12
    )
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-8)


def test_pca_then_distance_weighted_knn_matches_sklearn():
    X, y = load_digits(return_X_y=True)
    ours = make_pipeline(PCA(n_components=0.8), KNNClassifier(7, weights="distance"))
    ref = make_pipeline(
        SkPCA(n_components=0.8), KNeighborsClassifier(7, weights="distance", algorithm="brute")
    )
    ours.fit(X[:1200], y[:1200])
    ref.fit(X[:1200], y[:1200])
    assert ours[0].n_components_ == ref[0].n_components_
    np.testing.assert_allclose(ours.predict_proba(X[1200:]), ref.predict_proba(X[1200:]), atol=1e-8)
    np.testing.assert_array_equal(ours.predict(X[1200:]), ref.predict(X[1200:]))
