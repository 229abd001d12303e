# TalentLens: `make run` and `make test` are the two set-up commands (see README).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# The CPU build of torch lies in /opt/wheels on these machines; other PyPI builds are CUDA and huge.
FIND_LINKS := $(if $(wildcard /opt/wheels),--find-links /opt/wheels,)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export PYTHONDONTWRITEBYTECODE := 1
HOST ?= 127.0.0.1
PORT ?= 8501
API_PORT ?= 8000
DEMO_DIR := data/demo

.PHONY: run api test bench lint i18n venv dev-venv setup demo-data demo-users models clean migrate

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet $(FIND_LINKS) -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt $(VENV)/.runtime
	$(PIP) install --quiet $(FIND_LINKS) -r requirements-dev.txt
	touch $@

venv: $(VENV)/.runtime
dev-venv: $(VENV)/.dev

# Database, demo data, users and models, each done once and reused by later runs.
data/.setup-done: $(VENV)/.runtime
	$(PY) scripts/setup_demo.py
	touch $@

setup: data/.setup-done

# Every start brings the schema to the newest migration (quick when it already is; pages never migrate).
migrate: $(VENV)/.runtime
	$(PY) -m hr_core init-db > /dev/null

# The dashboard and, beside it, the HTTP API on $(API_PORT) start at once; the embedding indexes, the
# match model and the drift report are then built in the background once the dashboard answers, with
# progress in this terminal and on Home and Recommendations. All stop when the dashboard stops (Ctrl-C).
run: data/.setup-done migrate
	@pids=""; trap 'kill $$pids 2>/dev/null; wait' EXIT INT TERM; \
	if [ -f hr_api/app.py ]; then \
		$(VENV)/bin/uvicorn hr_api.app:app --host $(HOST) --port $(API_PORT) --log-level warning & pids="$$pids $$!"; \
		echo "API on http://$(HOST):$(API_PORT) (docs at /docs)"; \
	fi; \
	$(PY) scripts/build_models.py --wait http://$(HOST):$(PORT)/_stcore/health & pids="$$pids $$!"; \
	HR_API_PUBLIC_URL="$${HR_API_PUBLIC_URL:-http://$(HOST):$(API_PORT)}" \
		$(VENV)/bin/streamlit run Home.py --server.address $(HOST) --server.port $(PORT) --server.headless true

# The HTTP API alone (OpenAPI docs at /docs).
api: data/.setup-done migrate
	$(VENV)/bin/uvicorn hr_api.app:app --host $(HOST) --port $(API_PORT)

test: $(VENV)/.dev
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.dev
	$(PY) -m bench $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check hr_core hr_api tests pages Home.py bench scripts
	$(VENV)/bin/ruff format --check hr_core hr_api tests pages Home.py bench scripts
	$(VENV)/bin/mypy

# Interface languages: extract every _("…")/N_("…") into locales/messages.pot, merge it into each
# catalog (translate the new empty msgstr entries; tests/unit/test_i18n.py fails until every one is),
# then compile the .mo files (the app also compiles a missing or stale one in memory).
I18N_LOCALES := pt_BR es
i18n: $(VENV)/.dev
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ --no-location --sort-output --omit-header \
		-o locales/messages.pot .
	for l in $(I18N_LOCALES); do \
		$(VENV)/bin/pybabel update -i locales/messages.pot -d locales -l $$l --init-missing \
			--no-fuzzy-matching --ignore-obsolete --omit-header; \
	done
	$(VENV)/bin/pybabel compile -d locales --statistics

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
