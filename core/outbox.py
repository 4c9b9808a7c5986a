"""How the outbox hands a message to the world: one sender per channel.

A sender is what `core.services.outbox_drain` calls for each claimed message of its channel. Core
offers email (Django's mail backend, `EMAIL_URL`); an app above offers another channel, or its own
email sender, through a hook on its AppConfig, without core importing it:

    class NotifyConfig(AppConfig):
        def outbox_senders(self) -> dict[str, Sender]:
            return {"sms": NotifySmsSender()}

Apps are asked in INSTALLED_APPS order and a later app's sender for a channel replaces an earlier
one's. A sender raises to say how a try went:
- `PermanentFailure`: this message can never be sent (an address the server refuses for good);
  it is given up at once;
- `ChannelUnavailable`: the channel itself is down (mail server unreachable); this message is
  retried after its back-off, and the drain stops using the channel until its next run;
- anything else: this message failed; it is retried after its back-off, up to
  OUTBOX_MAX_ATTEMPTS.
"""

import smtplib
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

from django.apps import apps
from django.core.mail import EmailMessage, get_connection


class PermanentFailure(Exception):
    """The message can never be delivered as addressed: do not try again."""


class ChannelUnavailable(Exception):
    """The channel is down: retry this message later and send nothing more on it for now."""


class Sender(Protocol):
    def session(self) -> AbstractContextManager["Session"]:
        """A connection for one drain run (opened lazily by the drain, closed at its end)."""
        ...


class Session(Protocol):
    def send(self, message) -> str:
        """Send one `OutboundMessage`; return the provider's reference for it ("" if none)."""
        ...


class EmailSender:
    """Email through Django's mail backend, one connection per drain run."""

    def session(self):
        return _email_session()


@contextmanager
def _email_session():
    connection = get_connection(fail_silently=False)
    try:
        connection.open()
    except (OSError, smtplib.SMTPException) as error:
        raise ChannelUnavailable(str(error) or error.__class__.__name__) from error
    try:
        yield _EmailSession(connection)
    finally:
        try:
            connection.close()
        except (OSError, smtplib.SMTPException):
            pass  # the server went away after the last message: nothing left to send on it


class _EmailSession:
    def __init__(self, connection):
        self.connection = connection

    def send(self, message) -> str:
        email = EmailMessage(message.subject, message.body, None, [message.to_email],
                             connection=self.connection)
        try:
            sent = self.connection.send_messages([email])
        except smtplib.SMTPRecipientsRefused as error:
            codes = [code for code, _ in error.recipients.values()]
            if codes and all(code >= 500 for code in codes):  # 5xx: refused for good
                raise PermanentFailure(f"refused: {sorted(set(codes))}") from error
            raise
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, ConnectionError) as error:
            raise ChannelUnavailable(str(error) or error.__class__.__name__) from error
        if not sent:
            raise RuntimeError("The email backend did not send the message.")
        return ""


def letter_document(message) -> bytes | None:
    """The printed document (a PDF) an app made for a letter in the outbox, found through each
    app's `letter_document(message)` hook (complaint letters, issue 18); None for a letter written
    from a message template, which the sender fills in itself."""
    for config in apps.get_app_configs():
        hook = getattr(config, "letter_document", None)
        document = hook(message) if hook is not None else None
        if document is not None:
            return document
    return None


def message_refused(message, reason: str) -> None:
    """Tell the app that made a message that its provider refused it for good (a letter Notify
    would not post), through each app's `outbox_message_refused(message, reason)` hook, so the
    member of staff behind it hears of it (`reason` in their words)."""
    for config in apps.get_app_configs():
        hook = getattr(config, "outbox_message_refused", None)
        if hook is not None:
            hook(message, reason)


def senders() -> dict[str, Sender]:
    """Every channel's sender: core's email, then what each app's `outbox_senders()` offers."""
    found: dict[str, Sender] = {"email": EmailSender()}
    for config in apps.get_app_configs():
        hook = getattr(config, "outbox_senders", None)
        if hook is not None:
            found.update(hook())
    return found
