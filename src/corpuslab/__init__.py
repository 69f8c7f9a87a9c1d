"""corpuslab: build, clean, train on and audit language-model training data."""

__version__ = "0.1.0"
