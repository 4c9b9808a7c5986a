"""A worker process for test_retention_killed: runs the retention task against the database in
DATABASE_URL, in chunks of RETENTION_CHUNK rows. With KILL_AT_UPDATE=n it kills itself with
SIGKILL (no cleanup, no rollback by Python) right after the n-th UPDATE of the contacts table has
run, before its chunk's transaction commits: in the middle of a chunk.

Run as `python tests/reliability/retention_child.py`; prints the run's counts as JSON.
"""

import json
import os
import signal
import sys

import django


def main() -> None:
    django.setup()
    from django.db import connection

    from core.retention import retention_apply

    kill_at = int(os.environ.get("KILL_AT_UPDATE", "0"))
    updates = [0]

    def die_mid_chunk(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if kill_at and sql.startswith('UPDATE "contacts_contact"'):
            updates[0] += 1
            if updates[0] >= kill_at:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)
        return result

    with connection.execute_wrapper(die_mid_chunk):
        run = retention_apply(chunk=int(os.environ.get("RETENTION_CHUNK", "100")))
    print(json.dumps(None if run is None else run.counts))


if __name__ == "__main__":
    main()
