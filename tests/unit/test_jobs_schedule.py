"""The backup schedule's next run: time zones, the grace after a missed slot, a slot already run."""

from __future__ import annotations

import datetime as dt

from hr_core.jobs import BackupSchedule, compute_next_run

UTC = dt.UTC
SET_AT = dt.datetime(2026, 1, 1, 0, 0, tzinfo=UTC)


def _schedule(time: str = "02:00", timezone: str = "UTC", enabled: bool = True) -> BackupSchedule:
    return BackupSchedule(enabled, time, timezone, 7, SET_AT, "ada")


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 1, day, hour, minute, tzinfo=UTC)


def test_next_run_is_today_before_the_time_and_tomorrow_after_it_ran() -> None:
    assert compute_next_run(_schedule(), now=_at(5, 1), latest_slot_ran=False) == _at(5, 2)
    assert compute_next_run(_schedule(), now=_at(5, 3), latest_slot_ran=True) == _at(6, 2)


def test_a_missed_slot_is_due_within_the_grace_and_skipped_after_it() -> None:
    assert compute_next_run(_schedule(), now=_at(5, 3), latest_slot_ran=False) == _at(5, 2)
    assert compute_next_run(_schedule(), now=_at(5, 9), latest_slot_ran=False) == _at(6, 2)


def test_slots_before_the_schedule_was_set_do_not_run() -> None:
    set_late = BackupSchedule(True, "02:00", "UTC", 7, _at(5, 2, 30), "ada")
    assert compute_next_run(set_late, now=_at(5, 3), latest_slot_ran=False) == _at(6, 2)


def test_time_zone_and_disabled_schedule() -> None:
    # 02:00 in São Paulo (UTC-3, no daylight saving since 2019) is 05:00 UTC.
    sao_paulo = _schedule(timezone="America/Sao_Paulo")
    assert compute_next_run(sao_paulo, now=_at(5, 4), latest_slot_ran=False) == _at(5, 5)
    assert compute_next_run(_schedule(enabled=False), now=_at(5, 1), latest_slot_ran=False) is None
    assert compute_next_run(None, now=_at(5, 1), latest_slot_ran=False) is None
