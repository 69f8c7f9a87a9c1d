"""Domain classifiers: temperature calibration, TF-IDF on real text, the optional encoder path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from anatomy_fixtures import (
    one_thread,  # noqa: F401  (fixture)
    real_category_texts,
)

from corpuslab.anatomy.classifier import (
    EncoderClassifier,
    TfidfClassifier,
    calibrated_probs,
    fit_temperature,
    softmax,
    train_and_calibrate,
)

pytestmark = pytest.mark.usefixtures("one_thread")


def test_fit_temperature_undoes_overconfidence() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 4000)
    true_logits = rng.normal(size=(4000, 3))
    true_logits[np.arange(4000), y] += 1.0
    # sample labels from the calibrated model, then scale logits ×3 (overconfident): T ≈ 3 undoes it
    p = softmax(true_logits)
    labels = np.array([rng.choice(3, p=row) for row in p])
    t = fit_temperature(true_logits * 3.0, labels)
    assert t == pytest.approx(3.0, rel=0.15)


def test_tfidf_classifier_on_real_categories() -> None:
    texts = real_category_texts(per_category=60, chars=400)
    classes = list(texts)
    x = [t for c in classes for t in texts[c]]
    y = np.array([i for i, c in enumerate(classes) for _ in texts[c]])
    idx = np.arange(len(x))
    ho = idx % 4 == 0
    clf = TfidfClassifier(classes)
    probs, acc = train_and_calibrate(clf, [x[i] for i in idx[~ho]], y[~ho], [x[i] for i in idx[ho]], y[ho])
    assert acc >= 0.9  # Botchan vs beer posts vs Python code are easy
    assert probs.shape == (ho.sum(), 3) and np.allclose(probs.sum(1), 1)
    assert clf.temperature > 0
    assert calibrated_probs(clf, ["def main():\n    import os\n    return None"]).argmax() == classes.index("github")


@pytest.mark.model
def test_encoder_classifier_option(tmp_path: Path) -> None:
    from corpuslab.models.tiny import build_tiny_encoder

    texts = real_category_texts(per_category=12, chars=200)
    classes = list(texts)
    build_tiny_encoder([t for v in texts.values() for t in v], num_labels=3, vocab_size=300, out_dir=tmp_path / "enc",
                       hidden=32, layers=1, heads=2)
    clf = EncoderClassifier(classes, model_name=str(tmp_path / "enc"), epochs=1, lr=1e-3, batch_size=8, max_len=64,
                            device="cpu")
    x = [t for c in classes for t in texts[c]]
    y = np.array([i for i, c in enumerate(classes) for _ in texts[c]])
    clf.fit(x, y)
    z = clf.logits(x[:5])
    assert z.shape == (5, 3) and np.all(np.isfinite(z))
