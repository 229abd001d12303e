"""The replaced HR service's routes under /compat: its example batch, reports, backup and restore."""

from __future__ import annotations

from pathlib import Path

from hr_core.models import Department
from tests.api.conftest import Api, assert_problem, count, seed_batch

SEED_COUNTS = [{"department": "Engineering", "job": "Biostatistician IV", "Q1": 2, "Q2": 0, "Q3": 0, "Q4": 0}]


def _load_jobs(api: Api, shared_data: Path) -> None:
    jobs = (shared_data / "globant" / "jobs.csv").read_bytes()
    assert api.post("/api/v1/hr/jobs/files", "analyst", files={"file": ("jobs.csv", jobs)}).status_code == 200


def test_seed_example_batch_then_employee_counts(api: Api, shared_data: Path) -> None:
    _load_jobs(api, shared_data)
    response = api.post("/compat/upload", "analyst", json=seed_batch())
    assert response.status_code == 200, response.text
    assert api.get("/compat/employee_counts", "analyst").json() == SEED_COUNTS
    assert api.get("/compat/employee_counts?year=2022", "analyst").json() == []
    assert api.get("/compat/departments_most_hired", "analyst").json() == []
    assert_problem(api.get("/compat/employee_counts", "recruiter"), 403)


def test_compat_upload_refuses_whole_batches_with_a_bad_row(api: Api) -> None:
    body = assert_problem(api.post("/compat/upload", "analyst", json=seed_batch()), 422)
    assert {e["table"] for e in body["errors"]} == {"hired_employees"}
    assert "job_id 3" in body["errors"][0]["reasons"][0]
    assert count(api.engine, Department) == 0


def test_backup_then_restore_the_newest_verified_backup(api: Api) -> None:
    batch = {"records": [{"table_name": "department", "data": [{"id": 1, "department": "Ops"}]}]}
    api.post("/api/v1/hr/batch", "analyst", json=batch)
    assert_problem(api.post("/compat/backup/departments", "analyst"), 403)
    made = api.post("/compat/backup/departments", "admin").json()
    assert (made["table"], made["rows"]) == ("departments", 1)
    batch["records"][0]["data"] = [{"id": 2, "department": "Sales"}]
    api.post("/api/v1/hr/batch", "analyst", json=batch)
    assert count(api.engine, Department) == 2
    restored = api.post("/compat/restore/departments", "admin").json()
    assert (restored["backup_id"], restored["rows"], restored["verified"]) == (made["backup_id"], 1, True)
    assert count(api.engine, Department) == 1
    assert_problem(api.post("/compat/restore/jobs", "admin"), 404)
    assert_problem(api.post("/compat/backup/users", "admin"), 400)


SEED_CANDIDATE = {
    "infos_basicas": {"codigo_profissional": 123, "nome": "João Silva", "cpf": "11122233344"},
    "informacoes_pessoais": {"endereco": "Rua A, 123", "telefone": "11999999999"},
    "informacoes_profissionais": {"empresa": "Empresa XPTO", "cargo": "Desenvolvedor"},
    "formacao_e_idiomas": {
        "formacao": "Graduação em Ciência da Computação",
        "idiomas": ["Português", "Inglês"],
    },
    "cv_pt": "Link ou texto do currículo em português",
}


def test_candidatos_create_takes_the_seed_example_then_imports_and_exports_start_jobs(api: Api) -> None:
    from hr_core.models import Candidate
    from hr_core.storage import make_storage

    assert_problem(api.post("/compat/candidatos/create", "analyst", json=SEED_CANDIDATE), 403)
    created = api.post("/compat/candidatos/create", "recruiter", json=SEED_CANDIDATE)
    # The seed's answer: the code as the client sent it (a number here).
    assert created.json() == {"message": "Candidato inserido com sucesso!", "codigo_candidato": 123}
    again = api.post("/compat/candidatos/create", "recruiter", json=SEED_CANDIDATE).json()
    assert again["message"] == "Candidato atualizado com sucesso!"
    as_text = {
        **SEED_CANDIDATE,
        "infos_basicas": {**SEED_CANDIDATE["infos_basicas"], "codigo_profissional": "123"},
    }
    assert (
        api.post("/compat/candidatos/create", "recruiter", json=as_text).json()["codigo_candidato"] == "123"
    )
    assert count(api.engine, Candidate) == 1
    bad = {**SEED_CANDIDATE, "infos_basicas": {"nome": "Sem código"}}
    assert_problem(api.post("/compat/candidatos/create", "recruiter", json=bad), 400)
    exported = api.post("/compat/candidatos/export-applicants", "recruiter").json()
    assert exported["message"].startswith("Tarefa de exportação")
    from tests.api.test_jobs import _wait

    assert _wait(api, exported["job_id"], "recruiter")["state"] == "succeeded"
    assert make_storage().exists("exports/applicants.json")
    started = api.post(
        "/compat/candidatos/update-tables", "recruiter", json={"file_key": "exports/applicants.json"}
    )
    assert started.status_code == 200
    assert _wait(api, started.json()["job_id"], "recruiter")["state"] == "succeeded"
    assert_problem(api.post("/compat/candidatos/update-tables", "recruiter", json={}), 422)
