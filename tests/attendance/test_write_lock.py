"""The nightly rebuild and a register import never interleave on PostgreSQL: both hold engine.WRITE_LOCK to the end
of their transactions, so the rebuild cannot total the weeks before an import commits and then write those older
totals over the summaries the import has just brought up to date."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from schools.attendance import engine as attendance_engine

pytestmark = pytest.mark.django_db(transaction=True)


def _waiting_for_the_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s",
                       [attendance_engine.WRITE_LOCK])
        return cursor.fetchone()[0]


def _in_own_connection(work):
    """Run ``work`` in a thread, which Django gives a database connection of its own (closed when it ends)."""
    def run():
        try:
            work()
        finally:
            connection.close()
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_the_nightly_rebuild_waits_for_a_register_write_in_progress():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite lets one connection write at a time anyway")
    held, release, rebuilt = threading.Event(), threading.Event(), threading.Event()

    def importing():  # a register import between taking the lock and committing
        with transaction.atomic():
            attendance_engine.hold_write_lock()
            held.set()
            release.wait(timeout=30)

    def rebuilding():
        attendance_engine.recompute_all()
        rebuilt.set()

    importer = _in_own_connection(importing)
    assert held.wait(timeout=10)
    rebuilder = _in_own_connection(rebuilding)
    # The rebuild queues behind the import's lock instead of reading the weeks the import has not committed.
    for _ in range(100):
        if _waiting_for_the_lock():
            break
        rebuilt.wait(timeout=0.05)
    assert _waiting_for_the_lock() == 1
    assert not rebuilt.is_set()
    release.set()
    importer.join(timeout=10)
    assert rebuilt.wait(timeout=30)
    rebuilder.join(timeout=10)
