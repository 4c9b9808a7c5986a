"""Health checks for the containers (Dockerfile HEALTHCHECK, docker-compose.yml):

    python -m config.healthcheck web                 the app answers /healthz (database reached)
    python -m config.healthcheck beat SCHEDULE_FILE  beat has written its schedule lately

Exit status 0 when healthy. The worker's check is Celery's own (`celery inspect ping`).
"""

import glob
import os
import sys
import time
import urllib.request


def web() -> bool:
    url = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz"
    with urllib.request.urlopen(url, timeout=4) as response:  # nosec B310 - fixed http URL on loopback
        return response.status == 200


def beat(schedule: str, max_age_seconds: int = 600) -> bool:
    # The schedule is a shelve: its file names carry a suffix that depends on the dbm module.
    written = [os.path.getmtime(path) for path in glob.glob(glob.escape(schedule) + "*")]
    return bool(written) and time.time() - max(written) < max_age_seconds


def main(argv: list[str]) -> int:
    try:
        healthy = web() if argv[0] == "web" else beat(argv[1])
    except Exception as error:  # noqa: BLE001 - any failure is "unhealthy", said on stderr
        print(f"unhealthy: {error}", file=sys.stderr)
        return 1
    return 0 if healthy else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
