"""Deterministic demo recruiting data in the Decision JSON format, with a learnable match signal.

A prospect is more likely to end approved/hired when the candidate's skills overlap the opening's,
the candidate's English meets the opening's and the professional levels agree; otherwise rejected.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hr_core.pipeline_stages import STATUS_STAGE
from hr_core.vocabulary import LANGUAGE_LEVELS, PROFESSIONAL_LEVELS

SKILLS: tuple[str, ...] = (
    "SAP", "SAP ABAP", "SAP FI", "SAP MM", "SAP SD", "SAP BASIS", "SAP HANA", "Java", "Spring Boot",
    "Python", "Django", "Flask", "Pandas", "SQL", "PL/SQL", "Oracle", "SQL Server", "PostgreSQL",
    "MySQL", "MongoDB", "Azure", "AWS", "GCP", "Docker", "Kubernetes", "Terraform", "Linux",
    "Windows Server", "Active Directory", "Redes", "ITIL", "Scrum", "Kanban", "PMP", "JavaScript",
    "TypeScript", "React", "Angular", "Node.js", "HTML", "CSS", ".NET", "C#", "C++", "Go", "Kotlin",
    "Swift", "Power BI", "Tableau", "Excel", "Spark", "Hadoop", "Kafka", "Jenkins", "Git", "Selenium",
    "Control-M", "Mainframe", "COBOL", "Salesforce", "ServiceNow", "Machine Learning",
)  # fmt: skip

# Areas, each with the skills its people and openings tend to use.
AREAS: dict[str, tuple[str, ...]] = {
    "TI - SAP": ("SAP", "SAP ABAP", "SAP FI", "SAP MM", "SAP SD", "SAP BASIS", "SAP HANA", "SQL", "Excel"),
    "TI - Desenvolvimento/Programação": (
        "Java",
        "Spring Boot",
        "Python",
        "Django",
        "Flask",
        "JavaScript",
        "TypeScript",
        "React",
        "Angular",
        "Node.js",
        "HTML",
        "CSS",
        ".NET",
        "C#",
        "Go",
        "Kotlin",
        "Swift",
        "Git",
        "SQL",
    ),  # fmt: skip
    "TI - Infraestrutura": (
        "Linux",
        "Windows Server",
        "Active Directory",
        "Redes",
        "Azure",
        "AWS",
        "GCP",
        "Docker",
        "Kubernetes",
        "Terraform",
        "ITIL",
        "Jenkins",
    ),  # fmt: skip
    "TI - Dados": (
        "Python",
        "Pandas",
        "SQL",
        "PL/SQL",
        "Oracle",
        "SQL Server",
        "PostgreSQL",
        "MySQL",
        "MongoDB",
        "Power BI",
        "Tableau",
        "Spark",
        "Hadoop",
        "Kafka",
        "Machine Learning",
    ),  # fmt: skip
    "TI - Projetos": ("Scrum", "Kanban", "PMP", "ITIL", "Excel", "Power BI", "ServiceNow", "Salesforce"),
    "TI - Sistemas e Ferramentas": (
        "Control-M",
        "Mainframe",
        "COBOL",
        "ServiceNow",
        "Selenium",
        "Jenkins",
        "Git",
        "Oracle",
        "C++",
    ),  # fmt: skip
}
# A common subset of the one vocabulary (hr_core.vocabulary), in the order the generator draws from.
LEVELS = ("Júnior", "Pleno", "Sênior", "Especialista", "Analista", "Gerente")
assert set(LEVELS) <= set(PROFESSIONAL_LEVELS)
DEMO_LANGUAGE_LEVELS = tuple(v for v in LANGUAGE_LEVELS if v != "Técnico")
ACADEMIC = (
    "Ensino Técnico Completo", "Ensino Superior Cursando", "Ensino Superior Completo",
    "Pós Graduação Completo", "Mestrado Completo",
)  # fmt: skip
CITIES = (
    ("São Paulo", "São Paulo"), ("Campinas", "São Paulo"), ("Barueri", "São Paulo"),
    ("Rio de Janeiro", "Rio de Janeiro"), ("Belo Horizonte", "Minas Gerais"), ("Curitiba", "Paraná"),
    ("Porto Alegre", "Rio Grande do Sul"), ("Recife", "Pernambuco"), ("Fortaleza", "Ceará"),
    ("Florianópolis", "Santa Catarina"),
)  # fmt: skip
FIRST = (
    "Ana", "Bruno", "Carla", "Daniel", "Eduarda", "Felipe", "Gabriela", "Henrique", "Isabela", "João",
    "Larissa", "Lucas", "Mariana", "Matheus", "Natália", "Otávio", "Paula", "Rafael", "Sofia", "Thiago",
    "Vitória", "Yuri", "Beatriz", "Caio", "Letícia", "Pedro", "Juliana", "Gustavo", "Camila", "Diego",
)  # fmt: skip
LAST = (
    "Silva", "Santos", "Oliveira", "Souza", "Rodrigues", "Ferreira", "Alves", "Pereira", "Lima",
    "Gomes", "Costa", "Ribeiro", "Martins", "Carvalho", "Almeida", "Lopes", "Moreira", "Barbosa",
    "Cardoso", "Teixeira", "Nogueira", "Correia", "Cavalcante", "Vieira",
)  # fmt: skip
CLIENTS = (
    "Banco Horizonte", "Varejo Azul S.A.", "Telecom Sul", "Seguradora Aurora", "Logística Rápida",
    "Indústria Paulista", "Energia Verde", "Saúde Integrada", "AgroTec Brasil", "Mineração Serra",
)  # fmt: skip
RECRUITERS = (
    "Ana Lívia Moreira", "Juliana Cassiano", "Carolina Rocha", "Luiz Fernando Dias", "Stella Vieira",
    "Bruna Pires", "Marcos Teixeira", "Renata Lopes",
)  # fmt: skip
CONTRACTS = ("CLT Full", "PJ/Autônomo", "PJ/Autônomo, CLT Full", "Cooperado", "CLT Cotas", "Hunting")
TITLES = {
    "TI - SAP": "Consultor SAP",
    "TI - Desenvolvimento/Programação": "Desenvolvedor",
    "TI - Infraestrutura": "Analista de Infraestrutura",
    "TI - Dados": "Engenheiro de Dados",
    "TI - Projetos": "Gerente de Projetos",
    "TI - Sistemas e Ferramentas": "Analista de Sistemas",
}

_BY_STAGE: dict[str, list[str]] = {}
for _text, _stage in STATUS_STAGE.items():
    _BY_STAGE.setdefault(_stage, []).append(_text)
_START = dt.date(2021, 1, 4)


def _date(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def _stamp(rng: random.Random, day: dt.date) -> str:
    return f"{_date(day)} {rng.randrange(8, 19):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}"


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def _skills(rng: random.Random, area: str, low: int, high: int) -> list[str]:
    """Mostly skills of the area, sometimes one from anywhere."""
    pool = AREAS[area]
    chosen = rng.sample(pool, min(len(pool), rng.randint(low, high)))
    if rng.random() < 0.4:
        extra = rng.choice(SKILLS)
        if extra not in chosen:
            chosen.append(extra)
    return chosen


def _language(rng: random.Random) -> str:
    return rng.choices(DEMO_LANGUAGE_LEVELS, weights=(2, 4, 4, 3, 2))[0]


def _applicant(rng: random.Random, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """One applicant record and the facts the pipeline simulation needs."""
    area = rng.choice(tuple(AREAS))
    skills = _skills(rng, area, 3, 7)
    level = rng.choice(LEVELS)
    english = _language(rng)
    spanish = _language(rng)
    name = _name(rng)
    city, state = rng.choice(CITIES)
    created = _START + dt.timedelta(days=rng.randrange(1200))
    updated = created + dt.timedelta(days=rng.randrange(200))
    email = (
        name.lower().replace(" ", "_").translate(str.maketrans("áâãçéêíóôõú", "aaaceeiooou"))
        + f"{code}@email.com"
    )
    phone = f"(11) 9{rng.randrange(1000, 9999)}-{rng.randrange(1000, 9999)}"
    title = f"{TITLES[area]} {level}"
    birth = (
        "0000-00-00"
        if rng.random() < 0.3
        else f"{rng.randrange(1965, 2002)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    )
    tech = ", ".join(skills)
    cv_pt = (
        f"{title.lower()}\n\n{city.lower()}/{state.lower()}\nresumo profissional\n"
        f"profissional com {rng.randint(1, 20)} anos de experiência em {area.lower()}.\n"
        f"conhecimentos: {tech.lower()}.\ninglês {english.lower()}, espanhol {spanish.lower()}.\n"
        f"histórico profissional\n{rng.choice(CLIENTS).lower()} - {title.lower()}\n"
    )
    record = {
        "infos_basicas": {
            "telefone_recado": "",
            "telefone": phone,
            "objetivo_profissional": title if rng.random() < 0.5 else "",
            "data_criacao": _stamp(rng, created),
            "inserido_por": rng.choice(RECRUITERS),
            "email": email,
            "local": f"{city}, {state}",
            "sabendo_de_nos_por": rng.choice(("", "Site de Empregos", "Indicação", "LinkedIn")),
            "data_atualizacao": _stamp(rng, updated),
            "codigo_profissional": code,
            "nome": name,
        },
        "informacoes_pessoais": {
            "data_aceite": "Cadastro anterior ao registro de aceite",
            "nome": name,
            "cpf": "",
            "fonte_indicacao": rng.choice(("Site de Empregos: ", "Indicação: ", ":")),
            "email": email,
            "email_secundario": "",
            "data_nascimento": birth,
            "telefone_celular": phone,
            "telefone_recado": "",
            "sexo": rng.choice(("Masculino", "Feminino", "")),
            "estado_civil": rng.choice(("Solteiro", "Casado", "Divorciado", "")),
            "pcd": rng.choices(("Não", "Sim", ""), weights=(80, 5, 15))[0],
            "endereco": f"{state.lower()}, {city.lower()}",
            "skype": "",
            "url_linkedin": "",
            "facebook": "",
        },
        "informacoes_profissionais": {
            "titulo_profissional": title,
            "area_atuacao": area,
            "conhecimentos_tecnicos": tech,
            "certificacoes": rng.choice(
                ("", "ITIL Foundation", "Scrum Master", "AWS Certified", "SAP Certified")
            ),
            "outras_certificacoes": "",
            "remuneracao": rng.choice(("", f"{rng.randrange(4, 25)}.000,00")),
            "nivel_profissional": level,
        },
        "formacao_e_idiomas": {
            "nivel_academico": rng.choice(ACADEMIC),
            "nivel_ingles": english,
            "nivel_espanhol": spanish,
            "outro_idioma": rng.choice(("-", "", "Francês - Básico", "Alemão - Intermediário")),
        },
        "cargo_atual": {},
        "cv_pt": cv_pt,
        "cv_en": "",
    }
    facts = {"area": area, "skills": set(skills), "level": level, "english": english, "name": name}
    return record, facts


def _vaga(rng: random.Random, code: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """One opening record and the facts the pipeline simulation needs."""
    area = rng.choice(tuple(AREAS))
    skills = _skills(rng, area, 3, 5)
    level = rng.choice(LEVELS)
    english = _language(rng)
    city, state = rng.choice(CITIES)
    requested = _START + dt.timedelta(days=rng.randrange(1300))
    title = f"{TITLES[area]} {level} - {skills[0]}"
    record = {
        "informacoes_basicas": {
            "data_requicisao": _date(requested),
            "limite_esperado_para_contratacao": "00-00-0000"
            if rng.random() < 0.6
            else _date(requested + dt.timedelta(days=30)),
            "titulo_vaga": title,
            "vaga_sap": "Sim" if area == "TI - SAP" else "Não",
            "cliente": rng.choice(CLIENTS),
            "solicitante_cliente": _name(rng),
            "empresa_divisao": "Decision São Paulo",
            "requisitante": _name(rng),
            "analista_responsavel": rng.choice(RECRUITERS),
            "tipo_contratacao": rng.choice(CONTRACTS),
            "prazo_contratacao": rng.choice(("", "Determinado", "Indeterminado")),
            "objetivo_vaga": rng.choice(("", "Contratação", "Prospecção")),
            "prioridade_vaga": rng.choice(
                ("", "Alta: Alta complexidade 3 a 5 dias", "Média: Média complexidade 6 a 10 dias")
            ),
            "origem_vaga": rng.choice(("", "Nova Posição", "Substituição")),
            "superior_imediato": "Superior Imediato:",
            "nome": "",
            "telefone": "",
        },
        "perfil_vaga": {
            "pais": "Brasil",
            "estado": state,
            "cidade": city,
            "bairro": "",
            "regiao": "",
            "local_trabalho": "2000",
            "vaga_especifica_para_pcd": rng.choices(("Não", "Sim"), weights=(95, 5))[0],
            "faixa_etaria": "De: Até:",
            "horario_trabalho": rng.choice(("", "Comercial")),
            "nivel profissional": level,
            "nivel_academico": rng.choice(ACADEMIC[:3]),
            "nivel_ingles": english,
            "nivel_espanhol": _language(rng),
            "outro_idioma": "",
            "areas_atuacao": f"{area}-",
            "principais_atividades": f"Atuar como {title.lower()} em projetos de {area.lower()}, "
            f"com foco em {', '.join(skills[:2])}.",
            "competencia_tecnicas_e_comportamentais": "Requisitos: "
            + ", ".join(skills)
            + ". Boa comunicação.",
            "demais_observacoes": rng.choice(("", "100% Remoto", "Híbrido")),
            "viagens_requeridas": "",
            "equipamentos_necessarios": rng.choice(("", "Nenhum -", "Notebook padrão")),
        },
        "beneficios": {"valor_venda": "-", "valor_compra_1": "R$", "valor_compra_2": ""},
    }
    facts = {"area": area, "skills": set(skills), "level": level, "english": english, "title": title}
    return record, facts


def score_fit(candidate: dict[str, Any], vaga: dict[str, Any]) -> float:
    """The planted fit in [0, 1]: skill overlap, English meeting the need, matching level."""
    overlap = len(candidate["skills"] & vaga["skills"]) / max(1, len(vaga["skills"]))
    english_ok = LANGUAGE_LEVELS.index(candidate["english"]) >= LANGUAGE_LEVELS.index(vaga["english"])
    level_ok = candidate["level"] == vaga["level"]
    return float(0.55 * overlap + 0.25 * english_ok + 0.20 * level_ok)


def _status(rng: random.Random, fit: float) -> str:
    """A status: 35% still in progress, else approved with a probability rising steeply with fit."""
    if rng.random() < 0.35:
        stage = rng.choices(("applied", "in_process", "interview"), weights=(5, 3, 2))[0]
    else:
        p_approved = 1.0 / (1.0 + math.exp(-10.0 * (fit - 0.55)))
        if rng.random() < p_approved:
            stage = "approved"
        elif rng.random() < 0.75:
            stage = "rejected"
        else:
            stage = "withdrew"
    return rng.choice(_BY_STAGE[stage])


def _write_object(path: Path, items: Iterator[tuple[str, Any]]) -> int:
    """Write a top-level JSON object item by item (memory stays flat for large sets)."""
    count = 0
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("{")
        for key, value in items:
            fh.write(("," if count else "") + json.dumps(key) + ": " + json.dumps(value, ensure_ascii=False))
            count += 1
        fh.write("}")
    return count


def write_recruiting_demo(
    out: Path, *, seed: int = 42, applicants: int = 3000, vagas: int = 1000, with_prospects: bool = True
) -> dict[str, Any]:
    """Write applicants.json, vagas.json and prospects.json (Decision format) into out; same seed, same files."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    cand_facts: list[tuple[str, dict[str, Any]]] = []

    def gen_applicants() -> Iterator[tuple[str, Any]]:
        for i in range(applicants):
            code = str(100_000 + i)
            record, facts = _applicant(rng, code)
            if with_prospects:
                cand_facts.append((code, facts))
            yield code, record

    n_app = _write_object(out / "applicants.json", gen_applicants())
    vaga_facts: list[tuple[str, dict[str, Any]]] = []

    def gen_vagas() -> Iterator[tuple[str, Any]]:
        for i in range(vagas):
            code = str(20_000 + i)
            record, facts = _vaga(rng, code)
            vaga_facts.append((code, facts))
            yield code, record

    n_vagas = _write_object(out / "vagas.json", gen_vagas())
    result: dict[str, Any] = {
        "applicants": n_app,
        "vagas": n_vagas,
        "files": [str(out / "applicants.json"), str(out / "vagas.json")],
    }
    if not with_prospects:
        return result

    by_area: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for code, facts in cand_facts:
        by_area.setdefault(facts["area"], []).append((code, facts))
    rows = 0
    dangling = 0

    def gen_prospects() -> Iterator[tuple[str, Any]]:
        nonlocal rows, dangling
        openings = list(vaga_facts)
        # A few openings that are not in vagas.json (the real data has many such).
        for j in range(max(1, vagas // 200)):
            openings.append((str(90_000 + j), {**vaga_facts[j % len(vaga_facts)][1], "title": "Vaga antiga"}))
        for code, vf in openings:
            picked: dict[str, tuple[str, dict[str, Any]]] = {}
            for _ in range(rng.randint(0, 9)):
                pool = by_area.get(vf["area"]) if rng.random() < 0.6 else None
                c_code, cf = rng.choice(pool or cand_facts)
                picked[c_code] = (c_code, cf)
            listed = []
            for c_code, cf in picked.values():
                applied = _START + dt.timedelta(days=rng.randrange(1300))
                last = applied + dt.timedelta(days=rng.randrange(0, 90))
                listed.append(
                    {
                        "nome": cf["name"],
                        "codigo": c_code,
                        "situacao_candidado": _status(rng, score_fit(cf, vf)),
                        "data_candidatura": _date(applied),
                        "ultima_atualizacao": _date(last) if rng.random() < 0.97 else "",
                        "comentario": rng.choice(
                            ("", "", "Encaminhado para o cliente", "Aguardando retorno")
                        ),
                        "recrutador": rng.choice(RECRUITERS),
                    }
                )
            if rng.random() < 0.05:  # a candidate who is not in applicants.json
                dangling += 1
                listed.append(
                    {
                        "nome": _name(rng),
                        "codigo": str(900_000 + dangling),
                        "situacao_candidado": rng.choice(tuple(STATUS_STAGE)),
                        "data_candidatura": _date(_START + dt.timedelta(days=rng.randrange(1300))),
                        "ultima_atualizacao": "",
                        "comentario": "",
                        "recrutador": rng.choice(RECRUITERS),
                    }
                )
            rows += len(listed)
            yield (
                code,
                {"titulo": vf["title"], "modalidade": rng.choice(("", "", "Remoto")), "prospects": listed},
            )

    n_open = _write_object(out / "prospects.json", gen_prospects())
    result.update(
        {
            "openings": n_open,
            "prospects": rows,
            "dangling_candidates": dangling,
            "files": [*result["files"], str(out / "prospects.json")],
        }
    )
    return result
