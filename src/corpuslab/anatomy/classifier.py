"""Domain classifiers for label shift: TF-IDF + logistic regression (default) or a fine-tuned encoder.

Both return *calibrated* class posteriors: EM prior correction needs them (Saerens et al. 2002) and the
Yaxin9Luo/data_anatomy pipeline temperature-scales on its validation split. Temperature
scaling (Guo et al. 2017) fits one scalar T on held-out logits by minimising the negative log-likelihood.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)


def softmax(z: np.ndarray, t: float = 1.0) -> np.ndarray:
    z = np.asarray(z, dtype=np.float64) / t
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The T > 0 minimising held-out NLL of ``softmax(logits / T)`` (bounded 1-D search over log T)."""
    from scipy.optimize import minimize_scalar

    y = np.asarray(labels, dtype=np.int64)
    z = np.asarray(logits, dtype=np.float64)

    def nll(log_t: float) -> float:
        p = softmax(z, float(np.exp(log_t)))
        return float(-np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-300, None))))

    res = minimize_scalar(nll, bounds=(np.log(0.01), np.log(100.0)), method="bounded")
    return float(np.exp(res.x))


class DomainClassifier(Protocol):
    classes: list[str]
    temperature: float

    def fit(self, texts: list[str], labels: np.ndarray) -> DomainClassifier: ...
    def logits(self, texts: list[str]) -> np.ndarray: ...


@dataclass
class TfidfClassifier:
    """Character 2–4-gram + word 1–2-gram TF-IDF into multinomial logistic regression.

    Character n-grams carry script, markup and code syntax, which is what separates domains in
    short, noisy generations; word n-grams add topic.
    """

    classes: list[str]
    max_features: int = 200_000
    c: float = 4.0
    max_chars: int = 4000
    seed: int = 0
    temperature: float = 1.0
    _pipe: Any = field(default=None, repr=False)

    def fit(self, texts: list[str], labels: np.ndarray) -> TfidfClassifier:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, make_pipeline

        feats = FeatureUnion([
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True,
                                     max_features=self.max_features, min_df=2, dtype=np.float32)),
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True,
                                     max_features=self.max_features // 2, min_df=2, dtype=np.float32,
                                     token_pattern=r"(?u)\b\w+\b|[^\w\s]")),
        ])
        clf = LogisticRegression(C=self.c, max_iter=2000, random_state=self.seed)
        self._pipe = make_pipeline(feats, clf)
        self._pipe.fit([t[: self.max_chars] for t in texts], np.asarray(labels))
        return self

    def logits(self, texts: list[str]) -> np.ndarray:
        z = self._pipe.decision_function([t[: self.max_chars] for t in texts])
        z = np.asarray(z, dtype=np.float64)
        if z.ndim == 1:  # binary: sklearn returns one column
            z = np.stack([np.zeros_like(z), z], axis=1)
        # classes the classifier never saw in training get -inf-like logits
        seen = list(self._pipe[-1].classes_)
        if len(seen) != len(self.classes):
            full = np.full((len(texts), len(self.classes)), -1e4)
            full[:, seen] = z
            z = full
        return z


@dataclass
class EncoderClassifier:
    """Fine-tune a Hugging Face encoder (DistilBERT-style) for sequence classification.

    Defaults follow Yaxin9Luo/data_anatomy (3 epochs, lr 2e-5, max_len 256); small models may want a larger lr.
    """

    classes: list[str]
    model_name: str = "distilbert-base-uncased"
    epochs: int = 3
    lr: float = 2e-5
    batch_size: int = 16
    max_len: int = 256
    device: str | None = None
    seed: int = 0
    temperature: float = 1.0
    _model: Any = field(default=None, repr=False)
    _tok: Any = field(default=None, repr=False)

    def fit(self, texts: list[str], labels: np.ndarray) -> EncoderClassifier:
        import torch

        from corpuslab.models.loading import load_encoder_classifier

        torch.manual_seed(self.seed)
        self._model, self._tok = load_encoder_classifier(self.model_name, num_labels=len(self.classes),
                                                         device=self.device)
        dev = next(self._model.parameters()).device
        opt = torch.optim.AdamW(self._model.parameters(), lr=self.lr)
        y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
        rng = np.random.default_rng(self.seed)
        self._model.train()
        for _ in range(self.epochs):
            order = rng.permutation(len(texts))
            for s in range(0, len(order), self.batch_size):
                idx = order[s: s + self.batch_size]
                enc = self._tok([texts[i] for i in idx], truncation=True, max_length=self.max_len,
                                padding=True, return_tensors="pt").to(dev)
                out = self._model(**enc, labels=y[idx].to(dev))
                out.loss.backward()
                opt.step()
                opt.zero_grad()
        self._model.eval()
        return self

    def logits(self, texts: list[str]) -> np.ndarray:
        import torch

        dev = next(self._model.parameters()).device
        outs = []
        with torch.no_grad():
            for s in range(0, len(texts), 64):
                enc = self._tok(texts[s: s + 64], truncation=True, max_length=self.max_len, padding=True,
                                return_tensors="pt").to(dev)
                outs.append(self._model(**enc).logits.float().cpu().numpy())
        return np.concatenate(outs) if outs else np.zeros((0, len(self.classes)))


def make_classifier(kind: str, classes: list[str], seed: int = 0, **kwargs: Any) -> DomainClassifier:
    if kind == "tfidf":
        return TfidfClassifier(classes=classes, seed=seed, **kwargs)
    if kind == "encoder":
        return EncoderClassifier(classes=classes, seed=seed, **kwargs)
    from corpuslab.core.errors import ConfigError

    raise ConfigError(f"unknown classifier {kind!r}: use 'tfidf' or 'encoder'")


def calibrated_probs(clf: DomainClassifier, texts: list[str]) -> np.ndarray:
    return softmax(clf.logits(texts), clf.temperature)


def train_and_calibrate(clf: DomainClassifier, train_texts: list[str], train_labels: np.ndarray,
                        cal_texts: list[str], cal_labels: np.ndarray) -> tuple[np.ndarray, float]:
    """Fit on the train split, fit the temperature on the held-out split; return held-out probs and accuracy."""
    clf.fit(train_texts, train_labels)
    z = clf.logits(cal_texts)
    clf.temperature = fit_temperature(z, cal_labels)
    probs = softmax(z, clf.temperature)
    acc = float(np.mean(np.argmax(probs, axis=1) == np.asarray(cal_labels)))
    log.info("classifier held-out accuracy %.4f, temperature %.3f", acc, clf.temperature)
    return probs, acc
