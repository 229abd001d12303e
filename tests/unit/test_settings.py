import pytest
from pydantic import ValidationError

from hr_core.settings import Settings, get_settings, reset_settings


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in ("HR_DATABASE_URL", "HR_STORAGE_URL", "HR_MODELS_DIR", "HR_ENV"):
        monkeypatch.delenv(key, raising=False)
    s = Settings()
    assert s.database_url == "sqlite:///data/hr.db"
    assert s.storage_url == "file://data/storage"
    assert str(s.models_dir) == "models_cache"
    assert s.upload_limit_mb == 200
    assert s.backup_retention == 30


def test_env_prefix_and_reset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_UPLOAD_LIMIT_MB", "7")
    reset_settings()
    assert get_settings().upload_limit_mb == 7
    monkeypatch.setenv("HR_UPLOAD_LIMIT_MB", "9")
    assert get_settings().upload_limit_mb == 7  # cached
    reset_settings()
    assert get_settings().upload_limit_mb == 9


def test_production_refuses_missing_or_short_cookie_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_ENV", "production")
    monkeypatch.delenv("HR_COOKIE_KEY", raising=False)
    with pytest.raises(ValidationError, match="HR_COOKIE_KEY"):
        Settings()
    monkeypatch.setenv("HR_COOKIE_KEY", "short")
    with pytest.raises(ValidationError, match="HR_COOKIE_KEY"):
        Settings()
    monkeypatch.setenv("HR_COOKIE_KEY", "x" * 40)
    assert Settings().env == "production"


def test_zero_limits_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HR_BACKUP_RETENTION", "0")
    with pytest.raises(ValidationError, match="backup_retention"):
        Settings()


def test_api_public_url_defaults_to_the_local_api_and_refuses_a_non_http_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("HR_API_PUBLIC_URL", raising=False)
    assert (Settings().api_public_url, Settings().api_docs_url) == (
        "http://127.0.0.1:8000",
        "http://127.0.0.1:8000/docs",
    )
    monkeypatch.setenv("HR_API_PUBLIC_URL", " https://hr.example.com/api/ ")
    assert Settings().api_docs_url == "https://hr.example.com/api/docs"
    monkeypatch.setenv("HR_API_PUBLIC_URL", "hr.example.com")
    with pytest.raises(ValidationError, match="http:// or https://"):
        Settings()
