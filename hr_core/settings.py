"""The one settings object (environment variables prefixed HR_)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]


class Settings(BaseSettings):
    """Runtime configuration; top-level keys of .streamlit/secrets.toml arrive as env vars too."""

    model_config = SettingsConfigDict(env_prefix="HR_", extra="ignore")

    env: Environment = "development"
    database_url: str = "sqlite:///data/hr.db"
    storage_url: str = "file://data/storage"
    s3_endpoint_url: str | None = None
    # A local cache of the promoted model version (the versions themselves live in storage).
    models_dir: Path = Path("models_cache")
    # How often (seconds) a process reads which model version is promoted; a promotion reaches every replica
    # within this time.
    model_refresh_seconds: float = 10.0
    # The exported ONNX encoder (default: HR_MODELS_DIR/encoder); shared by tests to export it once.
    encoder_dir: Path | None = None
    upload_limit_mb: int = 200
    backup_retention: int = 30
    cookie_key: SecretStr | None = None
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    # bcrypt cost; tests lower it (4) to stay fast, production keeps at least 12.
    bcrypt_rounds: int = 12
    session_days: float = 1.0
    # HTTP API: lifetime of a bearer token from POST /api/v1/auth/token; CORS origins (comma-separated, off when empty).
    api_token_minutes: int = 30
    api_cors_origins: str = ""
    # Where people and programs reach the HTTP API (shown in the pages' help and the docs link).
    api_public_url: str = "http://127.0.0.1:8000"
    # Run submitted jobs in the submitting process (the app, the API); false when dedicated
    # `python -m hr_core worker` processes take them from the PostgreSQL queue.
    jobs_in_process: bool = True

    @field_validator("upload_limit_mb", "backup_retention", "api_token_minutes")
    @classmethod
    def _positive(cls, value: int) -> int:
        if value < 1:
            raise ValueError("must be at least 1")
        return value

    @field_validator("s3_endpoint_url")
    @classmethod
    def _empty_is_none(cls, value: str | None) -> str | None:
        return value or None

    @field_validator("api_public_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if not value.startswith(("http://", "https://")) or len(value) <= len("https://"):
            raise ValueError("must be an http:// or https:// address, e.g. https://hr.example.com/api")
        return value

    @model_validator(mode="after")
    def _refuse_weak_secrets_in_production(self) -> Settings:
        if self.env == "production":
            key = self.cookie_key.get_secret_value() if self.cookie_key else ""
            if len(key.encode()) < 32:
                raise ValueError(
                    "HR_COOKIE_KEY must be set to at least 32 random bytes when HR_ENV=production "
                    '(e.g. python -c "import secrets; print(secrets.token_urlsafe(48))")'
                )
        return self

    @property
    def cors_origins(self) -> list[str]:
        return [o.strip() for o in self.api_cors_origins.split(",") if o.strip()]

    @property
    def api_docs_url(self) -> str:
        """The API's interactive documentation (Swagger UI)."""
        return f"{self.api_public_url}/docs"

    @property
    def upload_limit_bytes(self) -> int:
        return self.upload_limit_mb * 1024 * 1024


def describe_settings_error(error: ValidationError) -> str:
    """A settings ValidationError in plain words naming each HR_ variable (secret values never shown)."""
    problems = []
    for e in error.errors():
        name = f"HR_{str(e['loc'][0]).upper()}" if e["loc"] else "settings"
        message = str(e["msg"]).removeprefix("Value error, ")
        shown = "" if "key" in name.lower() or not e["loc"] else f" (got {str(e.get('input'))[:60]!r})"
        problems.append(f"{name}{shown}: {message}")
    return (
        "invalid settings: "
        + "; ".join(problems)
        + ". Fix the environment variables (or .streamlit/secrets.toml)"
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once from the environment."""
    return Settings()


def reset_settings() -> None:
    """Forget cached settings so the next get_settings() re-reads the environment (tests)."""
    get_settings.cache_clear()
