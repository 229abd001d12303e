"""TalentLens HTTP API: a thin FastAPI face over hr_core (`uvicorn hr_api.app:app`)."""
