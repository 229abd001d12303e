"""Every hr_core function that reads or writes stored data takes the acting user (and checks its role).

A public function of hr_core that takes an `engine` or a `storage` must also take `actor`, so the HTTP
API and any future face cannot forget the role check. The few that may not are listed below, each with
the reason; adding one here is a decision a reviewer sees.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import hr_core

# module or module.function -> why it takes no actor
ALLOWED: dict[str, str] = {
    # Start-up, health and plumbing: no personal data in or out.
    "hr_core.db.begin": "a transaction helper; its callers check the role",
    "hr_core.db.check_database": "health check (SELECT 1)",
    "hr_core.db.init_db": "schema set-up by the operator (make run, init-db)",
    "hr_core.schema_revision.read_schema_revision": "the schema revision for health checks and init-db",
    # Log-in happens before there is an actor.
    "hr_core.auth.sessions.authenticate": "the log-in itself: there is no actor yet",
    "hr_core.auth.sessions.resume_session": "turns a session cookie into the actor",
    "hr_core.auth.tokens.issue_token": "API log-in: there is no actor yet",
    "hr_core.auth.tokens.resolve_credentials": "turns an API token or key into the actor",
    "hr_core.auth.users.count_users": "a count, so an empty install can say how to add the first user",
    "hr_core.auth.users.fetch_user_row": "internal to hr_core.auth (log-in and sessions)",
    "hr_core.auth.users.get_user_locale": "the logged-in user's own language, read at log-in",
    # Building blocks of functions that check the role themselves.
    "hr_core.backup.manifest.find_backup_table": "internal to verify/restore/download, which check the role",
    "hr_core.backup.manifest.load_manifest": "internal to verify/restore/download, which check the role",
    "hr_core.backup.restore.compute_live_content_hash": "a hash of a table (no rows leave); used by tests and restore",
    "hr_core.backup.allowed_tables.list_live_columns": "column names and types only",
    "hr_core.backup.verify.open_backup_file": "internal to verify/restore/diff, which check the role",
    "hr_core.backup.verify.open_verified_backup": "internal to verify/restore/diff, which check the role",
    "hr_core.backup.writer.write_table_backup": "internal to backup/restore, which check the role",
    "hr_core.exports.save_rejects_report": "writes the rejects of a load whose caller checked the role",
    "hr_core.ingest.rejects.write_rejects_report": "writes the rejects of a load whose caller checked the role",
    "hr_core.ml.data": "loaders inside match/recommend/train/drift, which check the role",
    "hr_core.ml.fairness.build_fairness_report": "internal to training and the fairness report (role checked)",
    "hr_core.ml.fairness.load_protected_groups": "internal to the fairness report, which checks the role",
    "hr_core.ml.drift.load_current_data": "internal to the drift report, which checks the role",
    "hr_core.ml.vector_index.get_index_status": "whether the indexes are built (no personal data)",
    "hr_core.ml.published.read_json_key": "manifests and pointers of model versions and index builds; "
    "their callers check the role",
    "hr_core.ml.published.put_json": "manifests and pointers of model versions and index builds; "
    "their callers check the role",
    # The job worker runs jobs as the user recorded when the job was submitted (checked then and at run).
    "hr_core.jobs.pgqueue": "job queue plumbing (the worker)",
    "hr_core.jobs.records": "job records plumbing; submit/get/list check the role",
    "hr_core.jobs.runner": "the worker: runs each job as its recorded actor",
    "hr_core.jobs.schedule": "the backup schedule runs as the system actor it records",
    # Aggregates: counts per department, job, quarter or stage, no person in them.
    "hr_core.analytics": "hiring aggregates (counts); list_department_hires, which names people, is checked",
    "hr_core.recruiting.stats": "recruiting counts per stage and table (no person in them)",
}
# Functions inside an allow-listed module that must nevertheless take an actor.
MUST_TAKE_ACTOR = {"hr_core.analytics.list_department_hires"}


def _public_functions() -> list[tuple[str, inspect.Signature]]:
    found = []
    for info in pkgutil.walk_packages(hr_core.__path__, "hr_core."):
        if ".cli" in info.name or ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for name, fn in inspect.getmembers(module, inspect.isfunction):
            if not name.startswith("_") and fn.__module__ == module.__name__:
                found.append((f"{module.__name__}.{name}", inspect.signature(fn)))
    return found


def _allowed(qualname: str) -> bool:
    if qualname in MUST_TAKE_ACTOR:
        return False
    module = qualname.rsplit(".", 1)[0]
    return qualname in ALLOWED or module in ALLOWED


def test_every_function_on_stored_data_takes_an_actor() -> None:
    missing = [
        name
        for name, sig in _public_functions()
        if ({"engine", "storage"} & set(sig.parameters))
        and "actor" not in sig.parameters
        and not _allowed(name)
    ]
    assert not missing, (
        "these hr_core functions read or write stored data but take no actor; add `actor: Actor` and "
        "require_role(actor, Action.X) (or list them in ALLOWED with the reason): " + ", ".join(missing)
    )


def test_the_allow_list_names_only_what_exists() -> None:
    names = {name for name, _ in _public_functions()}
    modules = {name.rsplit(".", 1)[0] for name in names}
    stale = [entry for entry in ALLOWED if entry not in names and entry not in modules]
    assert not stale, f"allow-list entries that no longer exist: {stale}"
