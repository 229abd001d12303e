FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 app

WORKDIR /app
COPY requirements.txt .
# The CPU build of torch; the default PyPI wheel pulls CUDA (several GB).
RUN pip install --extra-index-url https://download.pytorch.org/whl/cpu -r requirements.txt

COPY --chown=app:app hr_core ./hr_core
COPY --chown=app:app hr_api ./hr_api
COPY --chown=app:app sql ./sql
COPY --chown=app:app pages ./pages
COPY --chown=app:app scripts ./scripts
COPY --chown=app:app Home.py ./
COPY --chown=app:app .streamlit/config.toml ./.streamlit/config.toml
RUN mkdir -p /app/data /app/models_cache && chown -R app:app /app/data /app/models_cache

USER app
EXPOSE 8501 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8501/_stcore/health || exit 1
# Migrate first (idempotent; a lock keeps two starting containers from colliding), then serve.
CMD ["sh", "-c", "python -m hr_core init-db && exec streamlit run Home.py --server.address 0.0.0.0 --server.port 8501"]
