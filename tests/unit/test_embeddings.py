"""The ONNX MiniLM encoder gives sentence-transformers' vectors and neighbours (real model, offline)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from hr_core.ml.embeddings import clean_text, encode_texts, load_encoder, load_sentence_transformer

SAMPLES = Path(__file__).resolve().parents[2] / "samples" / "decision"


def _texts() -> tuple[list[str], list[str]]:
    applicants = json.loads((SAMPLES / "applicants.json").read_text(encoding="utf-8"))
    vagas = json.loads((SAMPLES / "vagas.json").read_text(encoding="utf-8"))
    cvs = [a.get("cv_pt", "") for a in applicants.values()][:25] + ["", "   ", "Python"]
    openings = [
        "\n".join(
            (
                v["informacoes_basicas"].get("titulo_vaga", ""),
                v["perfil_vaga"].get("principais_atividades", ""),
            )
        )
        for v in list(vagas.values())[:40]
    ]
    return cvs, openings


def test_onnx_vectors_and_neighbours_match_sentence_transformers() -> None:
    cvs, openings = _texts()
    onnx = load_encoder()
    reference = load_sentence_transformer()
    new_c, new_v = encode_texts(cvs, encoder=onnx), encode_texts(openings, encoder=onnx)
    old_c, old_v = encode_texts(cvs, encoder=reference), encode_texts(openings, encoder=reference)
    assert new_c.dtype == np.float32 and new_c.shape == (len(cvs), 384)
    assert np.allclose(np.linalg.norm(new_c, axis=1), 1.0, atol=1e-5)
    assert float(np.min((new_c * old_c).sum(axis=1))) > 0.9999
    assert float(np.min((new_v * old_v).sum(axis=1))) > 0.9999
    same = [
        set(np.argsort(-n)[:10]) == set(np.argsort(-o)[:10])
        for n, o in zip(new_c @ new_v.T, old_c @ old_v.T, strict=True)
    ]
    assert np.mean(same) >= 0.95
    # Blank texts read as the placeholder; a text's vector does not depend on the order of the input nor
    # on which texts were encoded with it, to the bit (each text runs alone: incremental builds rely on it).
    assert clean_text("  ") == clean_text(None) == "(sem texto)"
    shuffled = encode_texts(cvs[::-1], encoder=onnx)[::-1]
    assert np.array_equal(shuffled, new_c)
    assert np.array_equal(encode_texts(cvs[3:4], encoder=onnx)[0], new_c[3])
    assert onnx.workers >= 1
