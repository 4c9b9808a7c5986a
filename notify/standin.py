"""A local stand-in for GOV.UK Notify (issue 19): the tests and `make run NOTIFY_STANDIN=1`
point the official client at it (NOTIFY_BASE_URL) instead of the real service.

It speaks the part of Notify's API the product uses: POST /v2/notifications/email, /sms and /letter
(from a template, or precompiled: a base64 PDF as `content`), GET /v2/notifications/{id}. Like
Notify it checks the client's JSON Web Token (HS256 signed with the key's secret, `iss` the service
id, issued within 30 seconds: 403 AuthError otherwise) and the request (a known template of the
right type, every ((field)) the template uses in the personalisation, a UK mobile number, an email
address, a letter address ending in a postcode: 400 otherwise). It keeps the templates it was given
and every notification it accepted, rendered, and posts delivery receipts in Notify's callback
format to a URL with a bearer token.

The outcome of each notification is what Notify's own test addresses give (temp-fail@ and
perm-fail@simulator.notify, 07700900003 and 07700900002), or the next status queued in
`outcomes`; an API error can be queued in `api_errors` (such as 500 or 429) for the next
request. Nothing in the product imports this module: only the tests and the command.
"""

import base64
import binascii
import json
import re
import threading
import uuid
from collections import deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests
from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

_PLACEHOLDER = re.compile(r"\(\(\s*([A-Za-z0-9_ ]+?)\s*\)\)")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)
_SIMULATED = {
    "temp-fail@simulator.notify": "temporary-failure", "07700900003": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure", "07700900002": "permanent-failure",
}


def make_api_key(name: str = "standin") -> str:
    """A key in Notify's format: name, service id, secret."""
    return f"{name}-{uuid.uuid4()}-{uuid.uuid4()}"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _mobile(number: str) -> str | None:
    digits = re.sub(r"[\s()-]", "", number or "")
    if digits.startswith("+44"):
        digits = "0" + digits[3:]
    elif digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits if re.fullmatch(r"07\d{9}", digits) else None


class NotifyStandIn:
    """Start with `start()` (or as a context manager); `base_url` is where the client goes."""

    def __init__(self, api_key: str | None = None, *, host: str = "127.0.0.1", port: int = 0):
        self.api_key = api_key or make_api_key()
        self.service_id = self.api_key[-73:-37]
        self.secret = self.api_key[-36:]
        self.templates: dict[str, dict] = {}
        self.notifications: list[dict] = []
        self.outcomes: deque[str] = deque()
        self.api_errors: deque[int] = deque()
        self.requests: list[tuple[str, str, int]] = []  # method, path, status answered
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler_for(self))
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "NotifyStandIn":
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def add_template(self, template_type: str, body: str, subject: str = "",
                     template_id: str | None = None) -> str:
        template_id = template_id or str(uuid.uuid4())
        self.templates[template_id] = {"type": template_type, "body": body, "subject": subject,
                                       "version": 1}
        return template_id

    def sent(self, notification_type: str | None = None) -> list[dict]:
        with self._lock:
            return [n for n in self.notifications
                    if notification_type is None or n["type"] == notification_type]

    # --- Delivery receipts ---------------------------------------------------------------------

    def receipt(self, notification: dict) -> dict:
        """Notify's callback body for a notification."""
        return {
            "id": notification["id"], "reference": notification["reference"],
            "to": notification["to"], "status": notification["status"],
            "created_at": notification["created_at"], "completed_at": _now(),
            "sent_at": notification["created_at"], "notification_type": notification["type"],
            "template_id": notification["template"]["id"], "template_version": 1,
        }

    def post_receipts(self, callback_url: str, bearer_token: str) -> list[int]:
        """POST a receipt for every notification not yet receipted; the status codes answered."""
        with self._lock:
            due = [n for n in self.notifications if not n["receipt_posted"]]
            for notification in due:
                notification["receipt_posted"] = True
        answers = []
        for notification in due:
            response = requests.post(callback_url, json=self.receipt(notification), timeout=10,
                                     headers={"Authorization": f"Bearer {bearer_token}"})
            answers.append(response.status_code)
        return answers

    # --- The API -------------------------------------------------------------------------------

    def _check_token(self, header: str) -> str | None:
        """None when the token is good, else why not (Notify's AuthError messages)."""
        if not header.startswith("Bearer "):
            return "Unauthorized: authentication token must be provided"
        token = header[len("Bearer "):]
        try:
            if get_token_issuer(token) != self.service_id:
                return "Invalid token: service not found"
            decode_jwt_token(token, self.secret)
        except TokenError as error:
            return error.message
        return None

    def _create_precompiled(self, body: dict) -> tuple[int, dict]:
        """A precompiled letter: Notify takes the PDF as it is (a reference is required; the
        postage is second class unless said)."""
        if not body.get("reference"):
            return 400, _error("ValidationError", "reference is a required property")
        try:
            pdf = base64.b64decode(str(body["content"]), validate=True)
        except (binascii.Error, ValueError):
            return 400, _error("ValidationError", "Cannot decode letter content (base64) to PDF")
        if not pdf.startswith(b"%PDF-"):
            return 400, _error("ValidationError", "Letter content is not a valid PDF")
        postage = body.get("postage") or "second"
        if postage not in ("first", "second", "economy", "europe", "rest-of-world"):
            return 400, _error("ValidationError",
                               "postage invalid. It must be first, second, economy, europe or rest-of-world")
        notification_id = str(uuid.uuid4())
        notification = {
            "id": notification_id, "reference": body["reference"], "type": "letter", "to": "",
            "status": self.outcomes.popleft() if self.outcomes else "received", "created_at": _now(),
            "content": {"body": "", "subject": "Pre-compiled PDF"}, "personalisation": {},
            "receipt_posted": False, "precompiled": True, "pdf": pdf, "postage": postage,
            "template": {"id": "precompiled", "version": 1, "uri": ""},
        }
        with self._lock:
            self.notifications.append(notification)
        return 201, {"id": notification_id, "reference": body["reference"], "postage": postage}

    def _create(self, notification_type: str, body: dict) -> tuple[int, dict]:
        if notification_type == "letter" and "content" in body:
            return self._create_precompiled(body)
        template = self.templates.get(str(body.get("template_id")))
        if template is None:
            return 400, _error("BadRequestError", "Template not found")
        if template["type"] != notification_type:
            return 400, _error("BadRequestError", f"{template['type']} template is not suitable "
                                                  f"for {notification_type} notification")
        personalisation = body.get("personalisation") or {}
        if not isinstance(personalisation, dict):
            return 400, _error("ValidationError", "personalisation is not of type object")
        if notification_type == "email":
            to = str(body.get("email_address") or "")
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", to):
                return 400, _error("ValidationError", "email_address Not a valid email address")
        elif notification_type == "sms":
            to = _mobile(str(body.get("phone_number") or ""))
            if to is None:
                return 400, _error("ValidationError", "phone_number Not a UK mobile number")
        else:
            lines = [str(personalisation.get(f"address_line_{n}") or "").strip() for n in range(1, 8)]
            lines = [line for line in lines if line]
            if len(lines) < 3:
                return 400, _error("ValidationError", "Address must be at least 3 lines")
            if not _POSTCODE.match(lines[-1]):
                return 400, _error("ValidationError", "Must be a real UK postcode")
            to = "\n".join(lines)
        used = [*_PLACEHOLDER.findall(template["subject"]), *_PLACEHOLDER.findall(template["body"])]
        missing = sorted({name for name in used if name not in personalisation})
        if missing:
            return 400, _error("BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        if self.api_errors:
            status = self.api_errors.popleft()
            return status, _error("Exception" if status >= 500 else "RateLimitError",
                                  "Internal server error" if status >= 500 else "Exceeded rate limit")

        def fill(text: str) -> str:
            return _PLACEHOLDER.sub(lambda match: str(personalisation[match.group(1)]), text)

        notification_id = str(uuid.uuid4())
        outcome = self.outcomes.popleft() if self.outcomes else _SIMULATED.get(
            to, "received" if notification_type == "letter" else "delivered")
        content = {"body": fill(template["body"])}
        if notification_type != "sms":
            content["subject"] = fill(template["subject"])
        notification = {
            "id": notification_id, "reference": body.get("reference"), "type": notification_type,
            "to": to, "status": outcome, "created_at": _now(), "content": content,
            "personalisation": personalisation, "receipt_posted": False,
            "template": {"id": str(body["template_id"]), "version": 1,
                         "uri": f"{self.base_url}/v2/template/{body['template_id']}"},
        }
        with self._lock:
            self.notifications.append(notification)
        answer = {"id": notification_id, "reference": body.get("reference"), "content": content,
                  "uri": f"{self.base_url}/v2/notifications/{notification_id}",
                  "template": notification["template"]}
        if notification_type == "letter":
            answer["scheduled_for"] = None
        return 201, answer

    def _get(self, notification_id: str) -> tuple[int, dict]:
        with self._lock:
            found = next((n for n in self.notifications if n["id"] == notification_id), None)
        if found is None:
            return 404, _error("NoResultFound", "No result found")
        return 200, {"id": found["id"], "reference": found["reference"], "type": found["type"],
                     "status": found["status"], "body": found["content"]["body"],
                     "subject": found["content"].get("subject"), "created_at": found["created_at"],
                     "template": found["template"],
                     **({"email_address": found["to"]} if found["type"] == "email" else {}),
                     **({"phone_number": found["to"]} if found["type"] == "sms" else {})}


def _error(kind: str, message: str) -> dict:
    return {"errors": [{"error": kind, "message": message}]}


def _handler_for(standin: NotifyStandIn):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 - the signature is the base class's
            pass

        def _answer(self, status: int, body: dict) -> None:
            if status >= 400:
                body = {"status_code": status, **body}
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            standin.requests.append((self.command, self.path, status))

        def _authorised(self) -> bool:
            problem = standin._check_token(self.headers.get("Authorization", ""))
            if problem:
                self._answer(403, _error("AuthError", problem))
            return problem is None

        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            match = re.fullmatch(r"/v2/notifications/(email|sms|letter)", self.path)
            if match is None:
                return self._answer(404, _error("NotFound", "Not found"))
            if not self._authorised():
                return None
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                return self._answer(400, _error("BadRequestError", "Invalid JSON"))
            if not isinstance(body, dict):
                return self._answer(400, _error("BadRequestError", "Invalid JSON"))
            return self._answer(*standin._create(match.group(1), body))

        def do_GET(self):  # noqa: N802 - http.server's name
            match = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", self.path)
            if match is None:
                return self._answer(404, _error("NotFound", "Not found"))
            if not self._authorised():
                return None
            return self._answer(*standin._get(match.group(1)))

    return Handler
