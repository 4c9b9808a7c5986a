import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Factories set real passwords; the default hasher makes every user cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
