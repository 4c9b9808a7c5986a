import tempfile
from pathlib import Path

import pytest
from kombu import pools as kombu_pools

from config.celery import app as celery_app
from tests.reliability.servers import PrivateRedis, stop_process


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories set real passwords; the default hasher makes every user cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def redis_server():
    with tempfile.TemporaryDirectory(prefix="nwd-redis-") as directory:
        server = PrivateRedis(Path(directory))
        server.start()
        try:
            yield server
        finally:
            stop_process(server.process)


@pytest.fixture
def celery_on(redis_server):
    """The in-process Celery app publishing to the private Redis (as with REDIS_URL set)."""
    saved = {key: celery_app.conf[key] for key in ("broker_url", "result_backend", "task_always_eager")}
    forget_connections(celery_app)
    celery_app.conf.update(broker_url=redis_server.url, result_backend=redis_server.url,
                           task_always_eager=False)
    try:
        yield celery_app
    finally:
        forget_connections(celery_app)
        celery_app.conf.update(saved)


def forget_connections(app) -> None:
    """Drop the app's broker pool and result backend, so the next use connects afresh."""
    kombu_pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._backend_cache = None
    app._local.__dict__.pop("backend", None)
