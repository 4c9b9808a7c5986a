"""Authentication backends: passwords, and sessions begun by single sign-on (issue 21)."""

from django.contrib.auth.backends import ModelBackend

from core.directory import local_password_allowed


class LocalPasswordBackend(ModelBackend):
    """Username and password, for every door that takes one (the sign-in form, the admin,
    POST /api/v1/auth/token/). With LOCAL_PASSWORDS_ENABLED false only the break-glass accounts
    may use it, and sessions it began for anyone else end (get_user answers no one)."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and local_password_allowed(user.get_username())


class DirectoryBackend(ModelBackend):
    """Sessions of staff signed in through the council's identity provider. It checks no
    credentials itself: the sign-in callback (core/sso.py) verifies the ID token, and
    core.directory decides the account and its roles; this backend then keeps the session
    (an inactive account's session ends, as with any backend)."""

    def authenticate(self, request, **credentials):
        return None
