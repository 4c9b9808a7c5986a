"""A worker process for test_sweep_killed: runs the hand-off deadline sweep against the database
in DATABASE_URL, in small chunks. With KILL_AT_MESSAGE=n it kills itself with SIGKILL (no
cleanup, no rollback by Python, as when the OOM killer or a node failure takes a worker) just
after the batch that stores the n-th outbox message, i.e. in the middle of a chunk's
transaction.

Run as `python tests/reliability/sweep_child.py`; prints the sweep's counts as JSON.
"""

import json
import os
import signal
import sys
from datetime import date

import django


def main() -> None:
    django.setup()
    from handoffs import services

    services.SWEEP_CHUNK = int(os.environ.get("SWEEP_CHUNK", "10"))
    kill_at = int(os.environ.get("KILL_AT_MESSAGE", "0"))
    if kill_at:
        real_send = services.outbox_send_many
        sent = [0]

        def send_then_die(items):
            messages = real_send(items)
            sent[0] += len(messages)
            if sent[0] >= kill_at:
                sys.stdout.flush()
                os.kill(os.getpid(), signal.SIGKILL)
            return messages

        services.outbox_send_many = send_then_die
    today = date.fromisoformat(os.environ["SWEEP_TODAY"])
    print(json.dumps(services.handoffs_enforce_deadlines(today=today)))


if __name__ == "__main__":
    main()
