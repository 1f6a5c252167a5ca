"""A small GOV.UK Notify for the tests: the documented v2 endpoints the service uses, served over HTTP on 127.0.0.1
from a thread, so the real notifications-python-client talks to it exactly as it would to Notify.

- POST /v2/notifications/letter (precompiled: {"reference", "content": base64 PDF, "postage"}), /email and /sms;
  GET /v2/notifications/<id>, GET /v2/notifications?reference=..., GET /v2/template/<id>.
- Every request must carry a JWT signed HS256 with the key's secret, ``iss`` the service id and ``iat`` within 30
  seconds (checked with the client library's own decoder, as Notify does); anything else is 403 with Notify's error.
- Rejections as Notify words them: a postcode that is not real, an email address or phone number Notify refuses, a
  template it does not have, missing personalisation. A test can make the next requests fail (429, 500...), set a
  notification's status, and send Notify's delivery-status callback to the service.

A thread rather than a second process: the suite runs on a travelled clock (tests/conftest.py), and the JWT's ``iat``
is checked against the same clock the client signs with.
"""

from __future__ import annotations

import base64
import datetime
import io
import json
import re
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

SERVICE_ID = "5b4d7a35-3c5c-4f5e-9a2b-2f1e1b6f0a11"
SECRET = "c9a1e7f2-8d4b-4e0a-b7c6-0d5e4f3a2b19"
API_KEY = f"casework_tests-{SERVICE_ID}-{SECRET}"
CALLBACK_TOKEN = "callback-token-for-the-tests-0123456789"
PRECOMPILED_TEMPLATE_ID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"  # Notify's hidden template for precompiled letters

# Notify's own words (its API's validation errors).
BAD_POSTCODE = "Last line of address must be a real UK postcode or another country"
BAD_EMAIL = "email_address Not a valid email address"
BAD_PHONE = "phone_number Not a UK mobile number"
NO_TEMPLATE = "Template not found"
UK_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2})\b")
UK_MOBILE = re.compile(r"(\+44|0044|0)7[0-9]{9}")


def _error(status: int, kind: str, message: str) -> tuple[int, dict]:
    return status, {"errors": [{"error": kind, "message": message}], "status_code": status}


@dataclass
class FakeNotify:
    url: str = ""
    notifications: dict = field(default_factory=dict)
    templates: dict = field(default_factory=dict)
    requests_seen: list = field(default_factory=list)
    fail_next: list = field(default_factory=list)  # [(status, body)] answered to the next POSTs, in order
    fake_postcodes: set = field(default_factory=lambda: {"ZZ99 9ZZ"})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.notifications.clear()
            self.templates.clear()
            self.requests_seen.clear()
            self.fail_next.clear()

    # --- what a test sets up ---------------------------------------------------------------------------------------

    def add_template(self, kind: str, fields: list[str], name: str = "Template") -> str:
        template_id = str(uuid.uuid4())
        self.templates[template_id] = {"id": template_id, "type": kind, "name": name, "version": 1,
                                       "body": " ".join(f"(({f}))" for f in fields), "fields": fields}
        return template_id

    def set_status(self, notification_id: str, status: str, at: str | None = None) -> None:
        """Move a notification on, stamping its times as Notify does: ``sent_at`` when it goes to the provider
        (a letter's "accepted": handed to the print provider), ``completed_at`` (``at``, else now) when it reaches
        a final status (a letter's "received": printed and posted). "returned-letter" marks a letter returned: the
        API goes on showing it "received" and Notify tells the service by its returned-letter callback."""
        with self.lock:
            record = self.notifications[str(notification_id)]
            if status == "returned-letter":
                if record["status"] != "received":
                    record["completed_at"] = at or _now()
                record["status"], record["returned"] = "received", True
                record["sent_at"] = record.get("sent_at") or record["completed_at"]
                return
            record["status"] = status
            if status in ("accepted", "sending", "pending", "received", "delivered") and not record.get("sent_at"):
                record["sent_at"] = _now() if status in ("accepted", "sending", "pending") else (at or _now())
            if status not in ("created", "sending", "pending", "accepted", "pending-virus-check"):
                record["completed_at"] = at or _now()

    def callback_payload(self, notification_id: str) -> str:
        """The callback Notify sends about this notification as it stands: a returned-letter callback for a
        returned letter, else a delivery receipt with the documented fields (a letter's status in Notify's internal
        words, as its receipts carry them: "sending" for accepted, "delivered" for received)."""
        record = self.notifications[str(notification_id)]
        if record.get("returned"):
            return json.dumps({"notification_id": record["id"], "reference": record["reference"],
                               "date_sent": record["created_at"], "sent_by": "API", "template_name": None,
                               "template_id": "None", "template_version": None, "spreadsheet_file_name": None,
                               "spreadsheet_row_number": None, "upload_letter_file_name": None})
        status = record["status"]
        if record["type"] == "letter":
            status = {"accepted": "sending", "received": "delivered"}.get(status, status)
        return json.dumps({"id": record["id"], "reference": record["reference"], "to": record.get("to", ""),
                           "status": status, "created_at": record["created_at"],
                           "completed_at": record.get("completed_at"), "sent_at": record.get("sent_at"),
                           "notification_type": record["type"], "template_id": record["template"]["id"],
                           "template_version": record["template"]["version"]})

    def callback(self, notification_id: str, url: str, token: str = CALLBACK_TOKEN) -> requests.Response:
        """Send the callback to a running service (the browser tests' live server), as Notify does."""
        return requests.post(url, data=self.callback_payload(notification_id), timeout=10,
                             headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})

    def get_status(self, notification_id) -> str:
        """What Notify's API shows for it (GET /v2/notifications/<id>)."""
        return self.notifications[str(notification_id)]["status"]

    def sent(self, kind: str | None = None) -> list[dict]:
        return [n for n in self.notifications.values() if kind is None or n["type"] == kind]

    def posts_for(self, reference: str) -> int:
        return sum(1 for method, _path, body in self.requests_seen
                   if method == "POST" and isinstance(body, dict) and body.get("reference") == reference)

    # --- the API -------------------------------------------------------------------------------------------------

    def handle(self, method: str, path: str, headers, body: bytes) -> tuple[int, dict]:
        denied = self._check_token(headers.get("Authorization", ""))
        if denied:
            return denied
        parsed = urlsplit(path)
        data = None
        if method == "POST":
            try:
                data = json.loads(body or b"{}")
            except ValueError:
                return _error(400, "ValidationError", "Invalid JSON")
        with self.lock:
            self.requests_seen.append((method, parsed.path, data))
            if method == "POST" and self.fail_next:
                return self.fail_next.pop(0)
        if method == "POST" and parsed.path == "/v2/notifications/letter":
            return self._letter(data)
        if method == "POST" and parsed.path in ("/v2/notifications/email", "/v2/notifications/sms"):
            return self._message(parsed.path.rsplit("/", 1)[-1], data)
        if method == "GET" and parsed.path == "/v2/notifications":
            reference = parse_qs(parsed.query).get("reference", [""])[0]
            found = [n for n in self.notifications.values() if n["reference"] == reference]
            return 200, {"notifications": found, "links": {"current": parsed.path}}
        match = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", parsed.path)
        if method == "GET" and match:
            record = self.notifications.get(match.group(1))
            shown = {k: v for k, v in record.items() if k != "returned"} if record else None
            return (200, shown) if record else _error(404, "NoResultFound", "No result found")
        match = re.fullmatch(r"/v2/template/([0-9a-f-]{36})", parsed.path)
        if method == "GET" and match:
            template = self.templates.get(match.group(1))
            return (200, template) if template else _error(404, "NoResultFound", "No result found")
        return _error(404, "NotFound", "Not found")

    def _check_token(self, header: str):
        from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
        from notifications_python_client.errors import TokenError

        if not header.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header[len("Bearer "):]
        try:
            if get_token_issuer(token) != SERVICE_ID:
                return _error(403, "AuthError", "Invalid token: service not found")
            decode_jwt_token(token, SECRET)
        except TokenError as error:
            return _error(403, "AuthError", error.message)
        return None

    def _record(self, kind: str, data: dict, **extra) -> dict:
        notification_id = str(uuid.uuid4())
        record = {"id": notification_id, "reference": data.get("reference"), "type": kind, "created_at": _now(),
                  "sent_at": None, "completed_at": None, **extra}
        with self.lock:
            self.notifications[notification_id] = record
        return record

    def _letter(self, data: dict) -> tuple[int, dict]:
        if "content" not in data:
            return _error(400, "ValidationError", "Only precompiled letters are expected in these tests")
        if not data.get("reference"):
            return _error(400, "ValidationError", "reference is a required property")
        try:
            pdf = base64.b64decode(data["content"], validate=True)
        except ValueError:
            return _error(400, "ValidationError", "Cannot decode letter content (invalid base64 encoding)")
        if not pdf.startswith(b"%PDF"):
            return _error(400, "ValidationError", "Letter content is not a valid PDF")
        if data.get("postage") not in (None, "first", "second", "economy"):
            return _error(400, "ValidationError", "postage invalid. It must be first, second or economy.")
        postcode = _postcode_of(pdf)
        if postcode is None or postcode in self.fake_postcodes:
            return _error(400, "ValidationError", BAD_POSTCODE)
        record = self._record("letter", data, status="pending-virus-check", postage=data.get("postage") or "second",
                              to=postcode, pdf=len(pdf),
                              template={"id": PRECOMPILED_TEMPLATE_ID, "version": 1, "uri": ""})
        return 201, {"id": record["id"], "reference": record["reference"], "postage": record["postage"]}

    def _message(self, kind: str, data: dict) -> tuple[int, dict]:
        template = self.templates.get(str(data.get("template_id")))
        if template is None or template["type"] != kind:
            return _error(400, "BadRequestError", NO_TEMPLATE)
        if kind == "email":
            to = data.get("email_address") or ""
            if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", to, re.I) or to.endswith(".invalid"):
                return _error(400, "ValidationError", BAD_EMAIL)
        else:
            to = re.sub(r"[\s()-]", "", data.get("phone_number") or "")
            if not UK_MOBILE.fullmatch(to):
                return _error(400, "ValidationError", BAD_PHONE)
        missing = [f for f in template["fields"] if f not in (data.get("personalisation") or {})]
        if missing:
            return _error(400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}")
        record = self._record(kind, data, status="created", to=to, personalisation=data.get("personalisation"),
                              template={"id": template["id"], "version": 1, "uri": ""})
        return 201, {"id": record["id"], "reference": record["reference"], "content": {"body": ""},
                     "uri": f"{self.url}/v2/notifications/{record['id']}", "template": record["template"]}


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat().replace("+00:00", "Z")


def _postcode_of(pdf: bytes) -> str | None:
    """The last line of the address block (24.6-120 mm from the left, 39.5-66.3 mm from the top of page 1), as
    Notify reads the address of a precompiled letter; None if it is not a UK postcode."""
    import pypdf

    page = pypdf.PdfReader(io.BytesIO(pdf)).pages[0]
    height, mm = float(page.mediabox.height), 72 / 25.4
    lines: dict[float, str] = {}

    def visit(text, cm, tm, font_dict, font_size):
        x = (float(tm[4]) * float(cm[0]) + float(tm[5]) * float(cm[2]) + float(cm[4])) / mm
        y = (height - (float(tm[4]) * float(cm[1]) + float(tm[5]) * float(cm[3]) + float(cm[5]))) / mm
        if text.strip() and 24 <= x <= 120 and 39.5 <= y <= 67:
            lines[round(y, 1)] = lines.get(round(y, 1), "") + text.strip()

    page.extract_text(visitor_text=visit)
    if not lines:
        return None
    last = lines[max(lines)].upper()
    return last if UK_POSTCODE.fullmatch(last) else None


def _handler(fake: FakeNotify):
    class Handler(BaseHTTPRequestHandler):
        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            status, body = fake.handle(method, self.path, self.headers, self.rfile.read(length) if length else b"")
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def do_GET(self):
            self._answer("GET")

        def do_POST(self):
            self._answer("POST")

        def log_message(self, format, *args):
            return

    return Handler


@pytest.fixture(scope="session")
def notify_server():
    fake = FakeNotify()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="fake-notify", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def notify(notify_server, settings):
    """The service configured to use the fake Notify (a clean one for each test)."""
    notify_server.reset()
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = notify_server.url
    settings.NOTIFY_CALLBACK_BEARER_TOKEN = CALLBACK_TOKEN
    return notify_server
