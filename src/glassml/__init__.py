"""glassml — machine learning you can see through.

The core algorithms of machine learning written from scratch in NumPy, their PyTorch
equivalents, and a test suite proving each computes what scikit-learn and PyTorch compute.

Subpackages (import the one you need; ``import glassml`` alone imports neither torch nor
matplotlib):

- :mod:`glassml.nn` — activations, layers, losses and the NumPy ``NeuralNetwork`` (seed 01, 02, 06)
- :mod:`glassml.optim` — SGD, Momentum, RMSProp, Adam, AdaGrad and Rosenbrock (seed 03)
- :mod:`glassml.pytorch` — MLP, attention, training loop, persistence, DDP (seed 04)
- :mod:`glassml.linear_model`, :mod:`glassml.neighbors`, :mod:`glassml.tree`,
  :mod:`glassml.cluster` — scikit-learn-compatible classical estimators (seed 05)
- :mod:`glassml.ensemble`, :mod:`glassml.naive_bayes`, :mod:`glassml.decomposition` — forests,
  gradient boosting, Gaussian naive Bayes and PCA (beyond the seed, lesson 08)
- :mod:`glassml.exercises` — graded exercises (``glassml exercises init DIR``)
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
