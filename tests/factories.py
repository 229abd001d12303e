"""Shared test data builders; each engineer appends functions, never rewrites others'."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, text

from hr_core.models import Department, HiredEmployee, Job

# --- hiring analytics (issue 4) ---------------------------------------------------------------


def insert_hiring_rows(
    engine: Engine,
    *,
    departments: dict[int, str],
    jobs: dict[int, str],
    hires: list[tuple[int, str, dt.datetime, int, int]],
) -> None:
    """Insert departments, jobs and hires (id, name, hired_at, department_id, job_id) through the models."""
    with engine.begin() as conn:
        if departments:
            conn.execute(insert(Department), [{"id": k, "department": v} for k, v in departments.items()])
        if jobs:
            conn.execute(insert(Job), [{"id": k, "job": v} for k, v in jobs.items()])
        if hires:
            conn.execute(
                insert(HiredEmployee),
                [
                    {"id": i, "name": n, "hired_at": at, "department_id": d, "job_id": j}
                    for i, n, at, d, j in hires
                ],
            )


def insert_numbered_hires(
    engine: Engine, *, rows: int, departments: int, jobs: int, step: dt.timedelta
) -> Engine:
    """Departments D1.., jobs J1.. and hires E1..E{rows}, one every step from 2021-01-01 UTC, spread
    over the departments and jobs by id; returns the engine (for fixtures)."""
    start = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
    insert_hiring_rows(
        engine,
        departments={i: f"D{i}" for i in range(1, departments + 1)},
        jobs={i: f"J{i}" for i in range(1, jobs + 1)},
        hires=[(i, f"E{i}", start + step * i, 1 + i % departments, 1 + i % jobs) for i in range(1, rows + 1)],
    )
    return engine


def read_hired_employees_catalogue(engine: Engine) -> list[tuple[Any, ...]]:
    """hired_employees' constraints and indexes as PostgreSQL defines them (nothing to list on SQLite)."""
    if engine.dialect.name != "postgresql":
        return []
    with engine.connect() as conn:
        return [
            tuple(r)
            for r in conn.execute(
                text(
                    "SELECT conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
                    "WHERE conrelid = 'hired_employees'::regclass UNION ALL "
                    "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid), true FROM pg_index "
                    "WHERE indrelid = 'hired_employees'::regclass ORDER BY 1"
                )
            )
        ]


def read_globant_rows(
    folder: Path,
) -> tuple[dict[int, str], dict[int, str], list[tuple[int, str, dt.datetime, int, int]]]:
    """The globant CSVs as plain rows; hires with an empty field (the 70 invalid ones) are left out."""

    def read(name: str) -> list[list[str]]:
        with (folder / name).open(newline="", encoding="utf-8") as f:
            return list(csv.reader(f))

    departments = {int(r[0]): r[1] for r in read("departments.csv")}
    jobs = {int(r[0]): r[1] for r in read("jobs.csv")}
    hires = [
        (int(r[0]), r[1], dt.datetime.fromisoformat(r[2].replace("Z", "+00:00")), int(r[3]), int(r[4]))
        for r in read("hired_employees.csv")
        if all(cell.strip() for cell in r[:5])
    ]
    return departments, jobs, hires


# --- match model, recommendations and drift (issue 7) -----------------------------------------

ML_TOPICS: tuple[tuple[str, str, str], ...] = (
    # (opening title, skills the opening asks for, words of the field)
    ("Desenvolvedor Python", "python django sql docker", "backend apis web"),
    ("Desenvolvedor Java", "java spring oracle kafka", "backend sistemas bancarios"),
    ("Consultor SAP FI", "sap sap fi abap excel", "contabilidade financeiro erp"),
    ("Desenvolvedor Front-end", "react typescript javascript css", "interfaces web"),
    ("Engenheiro DevOps", "aws docker kubernetes terraform", "infraestrutura nuvem"),
    ("Analista de BI", "sql power bi tableau etl", "relatorios indicadores dados"),
    ("Consultor Salesforce", "salesforce rest jira scrum", "crm vendas"),
    ("Desenvolvedor .NET", ".net c# sql server azure", "sistemas corporativos"),
)
ML_ENGLISH = ("Nenhum", "Básico", "Intermediário", "Avançado", "Fluente")
ML_LEVELS = ("Júnior", "Pleno", "Sênior", "Especialista")
ML_APPROVED = ("Contratado pela Decision", "Aprovado", "Proposta Aceita", "Documentação CLT")
ML_REJECTED = ("Não Aprovado pelo Cliente", "Não Aprovado pelo RH", "Desistiu", "Recusado")
ML_IN_PROGRESS = ("Prospect", "Entrevista Técnica", "Encaminhado ao Requisitante")


def make_match_rows(
    *,
    seed: int,
    n_vagas: int = 40,
    per_vaga: int = 10,
    prefix: str = "",
    shift: bool = False,
    in_progress: float = 0.0,
    applied: dt.date = dt.date(2023, 3, 1),
) -> tuple[list[dict], list[dict], list[dict]]:
    """Candidates, vagas and prospects with a planted relation: skills, English and level decide the label.

    shift=True draws candidates from another population (no skills of the opening, all fluent, seniors,
    other cities) so that a drift report must flag it.
    """
    import random

    rng = random.Random(seed)
    cities = (
        ("São Paulo", "São Paulo"),
        ("Rio de Janeiro", "Rio de Janeiro"),
        ("Belo Horizonte", "Minas Gerais"),
    )
    candidates: list[dict] = []
    vagas: list[dict] = []
    prospects: list[dict] = []
    for v in range(n_vagas):
        title, skills, field = ML_TOPICS[v % len(ML_TOPICS)]
        city, state = cities[v % len(cities)]
        vcode = f"{prefix}V{v:04d}"
        english = rng.randrange(1, 4)
        level = rng.randrange(0, 3)
        vagas.append(
            {
                "codigo": vcode,
                "titulo": f"{title} {ML_LEVELS[level]}",
                "cliente": f"Cliente {v % 5}",
                "tipo_contratacao": rng.choice(("CLT Full", "PJ/Autônomo")),
                "pais": "Brasil",
                "estado": state,
                "cidade": city,
                "pcd": "Não",
                "nivel_profissional": ML_LEVELS[level],
                "nivel_academico": "Ensino Superior Completo",
                "nivel_ingles": ML_ENGLISH[english],
                "nivel_espanhol": "Nenhum",
                "areas_atuacao": f"TI - {field}",
                "principais_atividades": f"Atuar com {skills} em projetos de {field}.",
                "competencias": f"Experiência com {skills}.",
            }
        )
        for c in range(per_vaga):
            ccode = f"{prefix}C{v:04d}{c:02d}"
            if shift:
                own = ML_TOPICS[(v + 3) % len(ML_TOPICS)]
                cand_english, cand_level = 4, 3
                ccity, cstate = ("Recife", "Pernambuco")
            else:
                own = ML_TOPICS[v % len(ML_TOPICS)] if rng.random() < 0.5 else rng.choice(ML_TOPICS)
                cand_english, cand_level = rng.randrange(0, 5), rng.randrange(0, 4)
                ccity, cstate = cities[rng.randrange(len(cities))]
            own_skills = own[1].split()
            known = " ".join(rng.sample(own_skills, k=rng.randrange(2, len(own_skills) + 1)))
            candidates.append(
                {
                    "codigo": ccode,
                    "nome": f"Pessoa {ccode}",
                    "local": f"{ccity}, {cstate}",
                    "titulo_profissional": own[0],
                    "area_atuacao": f"TI - {own[2]}",
                    "conhecimentos_tecnicos": known,
                    "certificacoes": "",
                    "nivel_profissional": ML_LEVELS[cand_level],
                    "nivel_academico": rng.choice(("Ensino Superior Completo", "Pós Graduação Completo")),
                    "nivel_ingles": ML_ENGLISH[cand_english],
                    "nivel_espanhol": rng.choice(("Nenhum", "Básico")),
                    "sexo": rng.choice(("Feminino", "Masculino")),
                    "estado_civil": rng.choice(("Solteiro", "Casado")),
                    "pcd": "Não",
                    "cv_pt": f"{own[0]} com experiência em {known} e {own[2]}.",
                }
            )
            wanted = set(skills.split())
            overlap = len(wanted & set(known.split())) / len(wanted)
            logit = -2.5 + 4.0 * overlap + 1.5 * (cand_english >= english) + 1.0 * (cand_level >= level)
            label = rng.random() < 1 / (1 + 2.718281828 ** (-logit))
            if rng.random() < in_progress:
                status = rng.choice(ML_IN_PROGRESS)
            else:
                status = rng.choice(ML_APPROVED if label else ML_REJECTED)
            prospects.append(
                {
                    "vaga_codigo": vcode,
                    "candidate_codigo": ccode,
                    "nome": f"Pessoa {ccode}",
                    "situacao": status,
                    "data_candidatura": applied + dt.timedelta(days=v),
                }
            )
    return candidates, vagas, prospects


def insert_recruiting_rows(
    engine: Engine, *, candidates: list[dict], vagas: list[dict], prospects: list[dict]
) -> None:
    """Insert candidates, vagas and prospects through the models (other columns take their defaults)."""
    from hr_core.models import Candidate, Prospect, Vaga
    from hr_core.pipeline_stages import stage_of

    def uniform(rows: list[dict], model: type) -> list[dict]:
        # executemany takes its columns from the first row: give every row the same keys ('' = blank text).
        columns = set(model.__table__.columns.keys())
        keys = {k for r in rows for k in r if k in columns}
        return [{k: r.get(k, "") for k in keys} for r in rows]

    with engine.begin() as conn:
        if candidates:
            conn.execute(insert(Candidate), uniform(candidates, Candidate))
        if vagas:
            conn.execute(insert(Vaga), uniform(vagas, Vaga))
        if prospects:
            conn.execute(insert(Prospect), [{**p, "stage": stage_of(p["situacao"])} for p in prospects])


# --- recruiting (issue 6) ---------------------------------------------------------------------


def make_applicant_record(
    code: str, *, nome: str = "Ana Silva", skills: str = "Python, SQL", **sections: dict
) -> dict:
    """One applicants.json entry in the Decision shape (sections overridable)."""
    record: dict = {
        "infos_basicas": {
            "data_criacao": "10-11-2021 07:29:49",
            "email": "ana@example.com",
            "local": "São Paulo, São Paulo",
            "data_atualizacao": "11-11-2021 08:00:00",
            "codigo_profissional": code,
            "nome": nome,
        },
        "informacoes_pessoais": {
            "nome": nome,
            "data_nascimento": "0000-00-00",
            "pcd": "Não",
            "sexo": "Feminino",
        },
        "informacoes_profissionais": {
            "titulo_profissional": "Engenheira de Dados",
            "area_atuacao": "TI - Dados",
            "conhecimentos_tecnicos": skills,
            "nivel_profissional": "Sênior",
        },
        "formacao_e_idiomas": {"nivel_academico": "", "nivel_ingles": "Avançado", "nivel_espanhol": "Básico"},
        "cargo_atual": {},
        "cv_pt": f"cv de {nome.lower()}: {skills.lower()}",
        "cv_en": "",
    }
    record.update(sections)
    return record


def make_prospect_record(code: str, *, status: str = "Prospect", applied: str = "01-02-2022") -> dict:
    """One entry of a prospects.json opening's list."""
    return {
        "nome": f"Candidato {code}",
        "codigo": code,
        "situacao_candidado": status,
        "data_candidatura": applied,
        "ultima_atualizacao": applied,
        "comentario": "",
        "recrutador": "Ana Lívia Moreira",
    }


def write_small_recruiting_demo(
    folder: Path, *, seed: int = 7, applicants: int = 120, vagas: int = 40
) -> dict:
    """A small generated Decision data set (applicants/vagas/prospects JSON) in folder."""
    from hr_core.demo.recruiting import write_recruiting_demo

    return write_recruiting_demo(folder, seed=seed, applicants=applicants, vagas=vagas)


# --- users and log-in (issue 8) ---------------------------------------------------------------


def make_user(engine: Engine, *, username: str, role: str = "analyst", password: str | None = None) -> str:
    """Add a user through hr_core (as the CLI actor) and return its password (random unless given)."""
    from hr_core.access import CLI_ACTOR
    from hr_core.auth import create_user, generate_password

    password = password or generate_password(username=username)
    create_user(engine=engine, actor=CLI_ACTOR, username=username, role=role, password=password)
    return password


def make_planted_recommend_rows() -> tuple[list[dict], list[dict]]:
    """One opening per ML_TOPICS entry and two candidates written for it (key planted_vaga: its opening).

    Insert the candidates without planted_vaga (insert_recruiting_rows drops unknown keys).
    """
    cities = ("Recife", "São Paulo", "Curitiba")
    vagas: list[dict] = []
    candidates: list[dict] = []
    for i, (title, skills, field) in enumerate(ML_TOPICS):
        vcode = f"RV{i:02d}"
        vagas.append(
            {
                "codigo": vcode,
                "titulo": title,
                "cidade": cities[i % 3],
                "estado": "PE",
                "nivel_profissional": ("Júnior", "Pleno", "Sênior")[i % 3],
                "nivel_ingles": "Avançado",
                "pcd": "Não",
                "principais_atividades": f"Trabalhar em {field} usando {skills}.",
                "competencias": f"Conhecimento sólido em {skills}.",
                "areas_atuacao": f"TI - {field}",
            }
        )
        for j, wording in enumerate(("Profissional de {f} com domínio de {s}", "{t} experiente; {s}")):
            candidates.append(
                {
                    "codigo": f"RC{i:02d}{j}",
                    "nome": f"Pessoa {i}-{j}",
                    "local": f"{cities[(i + j) % 3]}, Estado",
                    "titulo_profissional": title,
                    "conhecimentos_tecnicos": skills,
                    "cv_pt": wording.format(f=field, s=skills, t=title),
                    "nivel_profissional": "Pleno",
                    "pcd": "Sim" if (i, j) == (0, 1) else "Não",
                    "planted_vaga": vcode,
                }
            )
    return candidates, vagas


# --- HR data loading (issue 3) -----------------------------------------------------------------

INGEST_DEPARTMENTS = "1,Engineering\n2,Sales\n3,Legal\n"
INGEST_JOBS = "1,Data Engineer\n2,Account Executive\n3,Paralegal\n"


def write_text_file(folder: Path, name: str, text: str, *, encoding: str = "utf-8") -> Path:
    """Write text to folder/name exactly as given (no newline translation) and return the path."""
    path = folder / name
    path.write_bytes(text.encode(encoding))
    return path


def load_ingest_refs(engine: Engine, folder: Path) -> None:
    """Load three departments and three jobs through the loader, so employee rows can refer to them."""
    from hr_core.access import CLI_ACTOR
    from hr_core.ingest import load_table

    departments = write_text_file(folder, "departments.csv", INGEST_DEPARTMENTS)
    load_table(engine=engine, source=departments, actor=CLI_ACTOR)
    load_table(engine=engine, source=write_text_file(folder, "jobs.csv", INGEST_JOBS), actor=CLI_ACTOR)


def insert_failed_scheduled_backup(engine: Engine, *, error: str) -> int:
    """A scheduled backup job that ran and failed with error, as a runner would leave it; its id."""
    from hr_core.access import SCHEDULER_ACTOR
    from hr_core.jobs.records import claim_job, create_job_record, finish_job

    info = create_job_record(
        engine, actor=SCHEDULER_ACTOR, kind="backup.all", params={"retention": 3}, dedupe_key="test-slot"
    )
    assert claim_job(engine, info.id)
    finish_job(engine, info.id, error=error)
    return info.id


# --- match model against known true probabilities (issue 12, point 5) --------------------------
# The rule below was written before the features were, and is not tuned to them: the model is judged
# by how close its held-out ROC AUC comes to the AUC of these true probabilities.

TRUTH_AREAS: dict[str, tuple[str, ...]] = {
    "TI - SAP": (
        "SAP FI", "SAP MM", "SAP SD", "SAP ABAP", "SAP HANA", "Contabilidade", "Conciliação bancária",
        "Fluxo de caixa", "Excel",
    ),
    "TI - Desenvolvimento": (
        "Java", "Spring Boot", "Python", "Django", "React", "Node.js", "Testes automatizados",
        "Integração contínua", "Banco de dados",
    ),
    "TI - Infraestrutura": (
        "Linux", "Windows Server", "Active Directory", "Redes de computadores", "AWS", "Suporte técnico",
        "Virtualização", "Segurança da informação",
    ),
    "TI - Dados": (
        "SQL", "Power BI", "Modelagem de dados", "Python", "Spark", "Engenharia de dados", "Estatística",
        "ETL",
    ),
    "Administrativo": (
        "Folha de pagamento", "Departamento pessoal", "Rotinas fiscais", "Contas a pagar", "Faturamento",
        "Excel", "Atendimento ao cliente",
    ),
    "Projetos": (
        "Gestão de projetos", "Scrum", "Kanban", "Análise de requisitos", "Gestão de mudanças", "PMO",
        "Jira",
    ),
}  # fmt: skip
TRUTH_TITLES = {
    "TI - SAP": "Consultor SAP",
    "TI - Desenvolvimento": "Desenvolvedor",
    "TI - Infraestrutura": "Analista de Infraestrutura",
    "TI - Dados": "Analista de Dados",
    "Administrativo": "Analista Administrativo",
    "Projetos": "Gerente de Projetos",
}
TRUTH_LEVELS = ("Júnior", "Pleno", "Sênior", "Especialista")
TRUTH_ENGLISH = ("Nenhum", "Básico", "Intermediário", "Avançado", "Fluente")
TRUTH_CITIES = (
    ("São Paulo", "São Paulo"), ("Campinas", "São Paulo"), ("Rio de Janeiro", "Rio de Janeiro"),
    ("Belo Horizonte", "Minas Gerais"), ("Curitiba", "Paraná"), ("Recife", "Pernambuco"),
    ("Porto Alegre", "Rio Grande do Sul"), ("Florianópolis", "Santa Catarina"),
)  # fmt: skip


def truth_logit(
    *,
    coverage: float,
    english_ok: bool,
    level_short: int,
    same_city: bool,
    same_area: bool,
    hidden: float,
) -> float:
    """The planted rule: skills the opening asks for that the candidate has, English meeting the
    requirement, professional level steps short, same city, same area, plus what no feature sees."""
    return (
        -2.2
        + 3.2 * coverage
        + 1.0 * english_ok
        - 0.7 * level_short
        + 0.5 * same_city
        + 0.6 * same_area
        + hidden
    )


def _written(rng: object, skill: str) -> str:
    """A skill as people type it: sometimes without accents, sometimes in capitals."""
    import unicodedata

    text = skill
    if rng.random() < 0.3:  # type: ignore[attr-defined]
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if rng.random() < 0.2:  # type: ignore[attr-defined]
        text = text.upper()
    elif rng.random() < 0.3:  # type: ignore[attr-defined]
        text = text.lower()
    return text


def make_truth_match_rows(
    *,
    seed: int,
    n_vagas: int = 300,
    n_candidates: int = 1500,
    per_vaga: int = 12,
    in_progress: float = 0.2,
) -> tuple[list[dict], list[dict], list[dict], dict[tuple[str, str], float]]:
    """Linked candidates, openings and prospects whose decided outcomes follow truth_logit.

    Returns (candidates, vagas, prospects, truth) where truth maps (candidate, vaga) of every decided
    prospect to its true probability of approval. Each opening has a hidden difficulty and each pair a
    hidden impression (both N(0, 0.3) on the logit) that no column records.
    """
    import math
    import random

    rng = random.Random(seed)
    areas = tuple(TRUTH_AREAS)
    candidates: list[dict] = []
    facts: list[dict] = []
    by_area: dict[str, list[int]] = {a: [] for a in areas}
    for i in range(n_candidates):
        area = rng.choice(areas)
        pool = TRUTH_AREAS[area]
        skills = rng.sample(pool, rng.randint(2, min(7, len(pool))))
        if rng.random() < 0.3:
            other = rng.choice(TRUTH_AREAS[rng.choice(areas)])
            if other not in skills:
                skills.append(other)
        level = rng.randrange(len(TRUTH_LEVELS))
        english = rng.randrange(len(TRUTH_ENGLISH))
        city, state = rng.choice(TRUTH_CITIES)
        code = f"T{i:05d}"
        typed = ", ".join(_written(rng, s) for s in skills)
        title = f"{TRUTH_TITLES[area]} {TRUTH_LEVELS[level]}"
        candidates.append(
            {
                "codigo": code,
                "nome": f"Pessoa {code}",
                "local": f"{city}, {state}",
                "titulo_profissional": title,
                "area_atuacao": area,
                "conhecimentos_tecnicos": typed,
                "certificacoes": "",
                "nivel_profissional": TRUTH_LEVELS[level],
                "nivel_academico": rng.choice(("Ensino Superior Completo", "Pós Graduação Completo")),
                "nivel_ingles": TRUTH_ENGLISH[english],
                "nivel_espanhol": rng.choice(("Nenhum", "Básico", "Intermediário")),
                "sexo": rng.choice(("Feminino", "Masculino")),
                "estado_civil": rng.choice(("Solteiro", "Casado")),
                "pcd": rng.choices(("Não", "Sim"), weights=(95, 5))[0],
                "cv_pt": f"{title.lower()}\n{city}/{state}\nresumo: {rng.randint(1, 15)} anos em "
                f"{area.lower()}. conhecimentos: {typed}. inglês {TRUTH_ENGLISH[english].lower()}.",
            }
        )
        facts.append({"area": area, "skills": set(skills), "level": level, "english": english, "city": city})
        by_area[area].append(i)

    vagas: list[dict] = []
    prospects: list[dict] = []
    truth: dict[tuple[str, str], float] = {}
    for v in range(n_vagas):
        area = rng.choice(areas)
        wanted = rng.sample(TRUTH_AREAS[area], rng.randint(3, 6))
        level = rng.randrange(len(TRUTH_LEVELS))
        english = rng.randrange(len(TRUTH_ENGLISH) - 1)
        city, state = rng.choice(TRUTH_CITIES)
        vcode = f"TV{v:04d}"
        title = f"{TRUTH_TITLES[area]} {TRUTH_LEVELS[level]}"
        vagas.append(
            {
                "codigo": vcode,
                "titulo": title,
                "cliente": f"Cliente {v % 7}",
                "tipo_contratacao": rng.choice(("CLT Full", "PJ/Autônomo", "Cooperado")),
                "pais": "Brasil",
                "estado": state,
                "cidade": city,
                "pcd": "Não",
                "nivel_profissional": TRUTH_LEVELS[level],
                "nivel_academico": "Ensino Superior Completo",
                "nivel_ingles": TRUTH_ENGLISH[english],
                "nivel_espanhol": "Nenhum",
                "areas_atuacao": f"{area}-",
                "principais_atividades": f"Atuar como {title.lower()} em projetos do cliente, com foco em "
                f"{wanted[0]}. Participar de reuniões com as áreas de negócio.",
                "competencias": "Requisitos obrigatórios: "
                + ", ".join(wanted)
                + ". Desejável boa comunicação e trabalho em equipe.",
            }
        )
        difficulty = rng.gauss(0.0, 0.3)
        chosen: set[int] = set()
        while len(chosen) < per_vaga:
            pool_idx = by_area[area] if rng.random() < 0.6 else range(n_candidates)
            chosen.add(rng.choice(list(pool_idx)))
        for i in sorted(chosen):
            f = facts[i]
            logit = truth_logit(
                coverage=len(f["skills"] & set(wanted)) / len(wanted),
                english_ok=f["english"] >= english,
                level_short=max(0, level - f["level"]),
                same_city=f["city"] == city,
                same_area=f["area"] == area,
                hidden=difficulty + rng.gauss(0.0, 0.3),
            )
            p = 1.0 / (1.0 + math.exp(-logit))
            ccode = candidates[i]["codigo"]
            if rng.random() < in_progress:
                status = rng.choice(ML_IN_PROGRESS)
            else:
                status = rng.choice(ML_APPROVED if rng.random() < p else ML_REJECTED)
                truth[(ccode, vcode)] = p
            prospects.append(
                {
                    "vaga_codigo": vcode,
                    "candidate_codigo": ccode,
                    "nome": f"Pessoa {ccode}",
                    "situacao": status,
                    "data_candidatura": dt.date(2023, 1, 1) + dt.timedelta(days=v),
                }
            )
    return candidates, vagas, prospects, truth
