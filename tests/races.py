"""Races on real PostgreSQL connections, made to happen where a test wants them: one transaction
writes and stays open, the other runs into its row and waits; only then does the first commit."""

import datetime as dt
import threading

from django.db import connection, transaction
from django.utils import timezone, translation


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _waits_on_a_lock(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return bool(row) and row[0] == "Lock"


def race_on_uncommitted_row(first, second) -> list:
    """`first` runs in a transaction that stays open; `second` starts once `first` has written, passes
    any pre-check (it cannot see the uncommitted row), and blocks on the row or the unique index;
    only then does `first` commit. Returns what each returned or raised; fails the test if `second`
    was never seen waiting, since then the race the test is about did not happen."""
    outcomes: list = [None, None]
    written, second_started, release = threading.Event(), threading.Event(), threading.Event()
    second_pid: list[int] = []

    def run_first():
        translation.activate("en")
        try:
            with transaction.atomic():
                outcomes[0] = first()
                written.set()
                assert release.wait(timeout=20), "the second never blocked"
        except Exception as exc:  # the outcome under test
            outcomes[0] = exc
            written.set()
        finally:
            connection.close()

    def run_second():
        translation.activate("en")
        try:
            assert written.wait(timeout=20)
            second_pid.append(_backend_pid())
            second_started.set()
            outcomes[1] = second()
        except Exception as exc:  # the outcome under test
            outcomes[1] = exc
        finally:
            second_started.set()
            connection.close()

    threads = [threading.Thread(target=run_first), threading.Thread(target=run_second)]
    for thread in threads:
        thread.start()
    assert second_started.wait(timeout=20)
    deadline = timezone.now() + dt.timedelta(seconds=20)
    pause, waited = threading.Event(), False
    while second_pid and timezone.now() < deadline and threads[1].is_alive():
        if waited := _waits_on_a_lock(second_pid[0]):
            break
        pause.wait(0.005)  # asking the server who waits on a lock, not waiting for time to pass
    release.set()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    assert waited, f"the second never waited on the first's row, so there was no race: {outcomes}"
    return outcomes
