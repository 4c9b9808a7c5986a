"""Run jobs at the same moment in threads, each on its own database connection (PostgreSQL row
locks and unique constraints under real concurrency; never mocked)."""

import threading

from django.db import connection


def run_at_once(*jobs) -> list:
    """Start every job together (a barrier) and wait for all: each one's return value, or the
    exception it raised, in the order they finished."""
    barrier = threading.Barrier(len(jobs))
    outcomes = []

    def run(job):
        try:
            barrier.wait()
            outcomes.append(job())
        except Exception as error:  # noqa: BLE001 - the caller asserts on what was raised
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def raised(outcomes: list) -> list[Exception]:
    return [outcome for outcome in outcomes if isinstance(outcome, Exception)]
