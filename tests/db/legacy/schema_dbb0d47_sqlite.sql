-- The schema that Base.metadata.create_all made on main at dbb0d47, the last commit before migrations (sqlite).
-- Frozen: never edit. tests/db/test_migrations.py builds a pre-Alembic database from it.

CREATE TABLE app_settings (
	"key" TEXT NOT NULL, 
	value JSON NOT NULL, 
	updated_at DATETIME NOT NULL, 
	updated_by TEXT NOT NULL, 
	PRIMARY KEY ("key")
);

CREATE TABLE audit_log (
	id INTEGER NOT NULL, 
	at DATETIME NOT NULL, 
	actor TEXT NOT NULL, 
	action TEXT NOT NULL, 
	outcome TEXT NOT NULL, 
	details JSON NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_audit_log_at ON audit_log (at);

CREATE TABLE background_jobs (
	id INTEGER NOT NULL, 
	kind TEXT NOT NULL, 
	params JSON NOT NULL, 
	actor TEXT NOT NULL, 
	actor_role TEXT NOT NULL, 
	state TEXT NOT NULL, 
	progress FLOAT NOT NULL, 
	message TEXT NOT NULL, 
	result JSON, 
	error TEXT, 
	created_at DATETIME NOT NULL, 
	started_at DATETIME, 
	finished_at DATETIME, 
	heartbeat_at DATETIME, 
	worker TEXT, 
	dedupe_key TEXT, 
	PRIMARY KEY (id), 
	UNIQUE (dedupe_key)
);

CREATE INDEX ix_background_jobs_actor ON background_jobs (actor);

CREATE INDEX ix_background_jobs_state ON background_jobs (state);

CREATE TABLE candidates (
	codigo TEXT NOT NULL, 
	nome TEXT NOT NULL, 
	email TEXT NOT NULL, 
	local TEXT NOT NULL, 
	titulo_profissional TEXT NOT NULL, 
	area_atuacao TEXT NOT NULL, 
	conhecimentos_tecnicos TEXT NOT NULL, 
	certificacoes TEXT NOT NULL, 
	nivel_profissional TEXT NOT NULL, 
	nivel_academico TEXT NOT NULL, 
	nivel_ingles TEXT NOT NULL, 
	nivel_espanhol TEXT NOT NULL, 
	outro_idioma TEXT NOT NULL, 
	sexo TEXT NOT NULL, 
	estado_civil TEXT NOT NULL, 
	pcd TEXT NOT NULL, 
	data_criacao DATETIME, 
	data_atualizacao DATETIME, 
	cv_pt TEXT NOT NULL, 
	cv_en TEXT NOT NULL, 
	infos_basicas JSON NOT NULL, 
	informacoes_pessoais JSON NOT NULL, 
	informacoes_profissionais JSON NOT NULL, 
	formacao_e_idiomas JSON NOT NULL, 
	cargo_atual JSON NOT NULL, 
	extra JSON NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (codigo)
);

CREATE TABLE departments (
	id INTEGER NOT NULL, 
	department TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (department)
);

CREATE TABLE jobs (
	id INTEGER NOT NULL, 
	job TEXT NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (job)
);

CREATE TABLE pipeline_openings (
	vaga_codigo TEXT NOT NULL, 
	titulo TEXT NOT NULL, 
	modalidade TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	extra JSON NOT NULL, 
	PRIMARY KEY (vaga_codigo)
);

CREATE TABLE prospect_notes (
	id INTEGER NOT NULL, 
	vaga_codigo TEXT NOT NULL, 
	candidate_codigo TEXT NOT NULL, 
	author TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	text TEXT NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_prospect_notes_pair ON prospect_notes (vaga_codigo, candidate_codigo);

CREATE TABLE prospect_stage_changes (
	id INTEGER NOT NULL, 
	vaga_codigo TEXT NOT NULL, 
	candidate_codigo TEXT NOT NULL, 
	from_status TEXT NOT NULL, 
	to_status TEXT NOT NULL, 
	from_stage TEXT NOT NULL, 
	to_stage TEXT NOT NULL, 
	changed_by TEXT NOT NULL, 
	changed_at DATETIME NOT NULL, 
	PRIMARY KEY (id)
);

CREATE INDEX ix_prospect_stage_changes_pair ON prospect_stage_changes (vaga_codigo, candidate_codigo);

CREATE TABLE prospects (
	id INTEGER NOT NULL, 
	vaga_codigo TEXT NOT NULL, 
	candidate_codigo TEXT NOT NULL, 
	nome TEXT NOT NULL, 
	situacao TEXT NOT NULL, 
	stage TEXT NOT NULL, 
	data_candidatura DATE, 
	ultima_atualizacao DATE, 
	comentario TEXT NOT NULL, 
	recrutador TEXT NOT NULL, 
	position INTEGER NOT NULL, 
	raw JSON NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_prospects_pair UNIQUE (vaga_codigo, candidate_codigo)
);

CREATE INDEX ix_prospects_candidate ON prospects (candidate_codigo);

CREATE INDEX ix_prospects_recrutador ON prospects (recrutador);

CREATE INDEX ix_prospects_stage ON prospects (stage);

CREATE TABLE users (
	id INTEGER NOT NULL, 
	username TEXT NOT NULL, 
	role TEXT NOT NULL, 
	password_hash TEXT NOT NULL, 
	disabled BOOLEAN NOT NULL, 
	failed_logins INTEGER NOT NULL, 
	locked_until DATETIME, 
	session_version INTEGER NOT NULL, 
	created_at DATETIME NOT NULL, 
	password_changed_at DATETIME NOT NULL, 
	last_login_at DATETIME, 
	locale TEXT DEFAULT 'en' NOT NULL, 
	PRIMARY KEY (id), 
	UNIQUE (username)
);

CREATE TABLE vagas (
	codigo TEXT NOT NULL, 
	titulo TEXT NOT NULL, 
	cliente TEXT NOT NULL, 
	tipo_contratacao TEXT NOT NULL, 
	analista_responsavel TEXT NOT NULL, 
	data_requisicao DATE, 
	pais TEXT NOT NULL, 
	estado TEXT NOT NULL, 
	cidade TEXT NOT NULL, 
	pcd TEXT NOT NULL, 
	nivel_profissional TEXT NOT NULL, 
	nivel_academico TEXT NOT NULL, 
	nivel_ingles TEXT NOT NULL, 
	nivel_espanhol TEXT NOT NULL, 
	outro_idioma TEXT NOT NULL, 
	areas_atuacao TEXT NOT NULL, 
	principais_atividades TEXT NOT NULL, 
	competencias TEXT NOT NULL, 
	informacoes_basicas JSON NOT NULL, 
	perfil_vaga JSON NOT NULL, 
	beneficios JSON NOT NULL, 
	extra JSON NOT NULL, 
	position INTEGER NOT NULL, 
	PRIMARY KEY (codigo)
);

CREATE TABLE api_keys (
	id INTEGER NOT NULL, 
	user_id INTEGER NOT NULL, 
	prefix TEXT NOT NULL, 
	key_hash TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	created_by TEXT NOT NULL, 
	last_used_at DATETIME, 
	revoked_at DATETIME, 
	PRIMARY KEY (id), 
	FOREIGN KEY(user_id) REFERENCES users (id) ON DELETE CASCADE, 
	UNIQUE (key_hash)
);

CREATE TABLE hired_employees (
	id INTEGER NOT NULL, 
	name TEXT NOT NULL, 
	hired_at DATETIME NOT NULL, 
	department_id INTEGER NOT NULL, 
	job_id INTEGER NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(department_id) REFERENCES departments (id), 
	FOREIGN KEY(job_id) REFERENCES jobs (id)
);

CREATE INDEX ix_hired_employees_hired_at ON hired_employees (hired_at, department_id, job_id);
