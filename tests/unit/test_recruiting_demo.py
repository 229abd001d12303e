"""The demo recruiting generator: Decision format, deterministic, linked, with a learnable signal."""

from __future__ import annotations

import json
from pathlib import Path

from hr_core.demo.recruiting import SKILLS, write_recruiting_demo
from hr_core.pipeline_stages import ALL_STATUSES, match_label
from hr_core.recruiting.records import (
    build_candidate_row,
    build_opening_row,
    build_prospect_row,
    build_vaga_row,
)

REAL = Path(__file__).resolve().parents[2] / "samples" / "decision"


def _load(folder: Path) -> tuple[dict, dict, dict]:
    return tuple(
        json.loads((folder / f).read_text(encoding="utf-8"))
        for f in ("applicants.json", "vagas.json", "prospects.json")
    )  # type: ignore[return-value]


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a = write_recruiting_demo(tmp_path / "a", seed=3, applicants=200, vagas=60)
    write_recruiting_demo(tmp_path / "b", seed=3, applicants=200, vagas=60)
    write_recruiting_demo(tmp_path / "c", seed=4, applicants=200, vagas=60)
    for name in ("applicants.json", "vagas.json", "prospects.json"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
        assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()
    assert a["applicants"] == 200 and a["vagas"] == 60


def test_records_have_the_real_files_keys_and_parse(tmp_path: Path) -> None:
    write_recruiting_demo(tmp_path, seed=1, applicants=150, vagas=50)
    applicants, vagas, prospects = _load(tmp_path)
    real_app, real_vagas, real_prospects = _load(REAL)
    real_a = next(iter(real_app.values()))
    real_v = next(iter(real_vagas.values()))
    for record in applicants.values():
        assert list(record) == list(real_a)
        for section in ("infos_basicas", "informacoes_profissionais", "formacao_e_idiomas"):
            assert set(record[section]) == set(real_a[section])
    for code, record in vagas.items():
        assert set(record) == set(real_v)
        assert "nivel profissional" in record["perfil_vaga"]
        build_vaga_row(code, record)
    for code, record in applicants.items():
        build_candidate_row(code, record)
    for code, opening in prospects.items():
        assert set(opening) == set(next(iter(real_prospects.values())))
        _, items = build_opening_row(code, opening)
        for i, item in enumerate(items):
            assert set(item) == {
                "nome",
                "codigo",
                "situacao_candidado",
                "data_candidatura",
                "ultima_atualizacao",
                "comentario",
                "recrutador",
            }
            build_prospect_row(code, item, i)


def test_every_status_occurs_and_some_references_dangle(tmp_path: Path) -> None:
    result = write_recruiting_demo(tmp_path, seed=42, applicants=600, vagas=400)
    applicants, vagas, prospects = _load(tmp_path)
    statuses = {p["situacao_candidado"] for o in prospects.values() for p in o["prospects"]}
    assert statuses == set(ALL_STATUSES)
    assert result["prospects"] == sum(len(o["prospects"]) for o in prospects.values())
    candidates = [p["codigo"] for o in prospects.values() for p in o["prospects"]]
    assert sum(c in applicants for c in candidates) > 0.9 * len(candidates)
    assert any(c not in applicants for c in candidates)
    assert any(code not in vagas for code in prospects)
    assert sum(code in vagas for code in prospects) == len(vagas)


def test_approval_follows_skill_overlap(tmp_path: Path) -> None:
    write_recruiting_demo(tmp_path, seed=11, applicants=800, vagas=400)
    applicants, vagas, prospects = _load(tmp_path)
    skills = sorted(SKILLS, key=len, reverse=True)

    def found(text: str) -> set[str]:
        return {s for s in skills if s in {t.strip(" .") for t in text.replace("Requisitos:", "").split(",")}}

    overlaps: dict[int, list[float]] = {0: [], 1: []}
    for code, opening in prospects.items():
        if code not in vagas:
            continue
        wanted = found(vagas[code]["perfil_vaga"]["competencia_tecnicas_e_comportamentais"].split(".")[0])
        for p in opening["prospects"]:
            label = match_label(p["situacao_candidado"])
            if label is None or p["codigo"] not in applicants:
                continue
            have = found(applicants[p["codigo"]]["informacoes_profissionais"]["conhecimentos_tecnicos"])
            overlaps[label].append(len(have & wanted) / max(1, len(wanted)))
    assert len(overlaps[0]) > 100 and len(overlaps[1]) > 30
    mean = {k: sum(v) / len(v) for k, v in overlaps.items()}
    assert mean[1] > mean[0] + 0.15
