"""Run the test OpenID Connect provider:
``python -m tests.oidc_provider.serve PORT DB_PATH CLIENT_ID CLIENT_SECRET [CLOCK]`` (CLOCK: a Unix time to run from).

Migrates its own SQLite database, registers the service as a confidential client (RS256 ID tokens, no consent
screen), prints "ready" and serves on 127.0.0.1:PORT until stopped."""

from __future__ import annotations

import os
import sys
from socketserver import ThreadingMixIn
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main(argv: list[str]) -> None:
    port, database, client_id, client_secret = int(argv[0]), argv[1], argv[2], argv[3]
    if len(argv) > 4:
        # The test suite's clock (tests/conftest.py): tokens issued "now" must be now for the service too.
        import time_machine

        time_machine.travel(float(argv[4]), tick=True).start()
    from jwcrypto import jwk

    os.environ["OIDC_PROVIDER_DB"] = database
    os.environ["OIDC_PROVIDER_URL"] = f"http://127.0.0.1:{port}"
    os.environ["OIDC_PROVIDER_KEY"] = jwk.JWK.generate(kty="RSA", size=2048).export_to_pem(
        private_key=True, password=None).decode()
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application
    from oauth2_provider.models import get_application_model

    call_command("migrate", verbosity=0)
    application_model = get_application_model()
    application_model.objects.update_or_create(client_id=client_id, defaults={
        "name": "Attendance and inclusion casework", "client_secret": client_secret,
        "client_type": application_model.CLIENT_CONFIDENTIAL,
        "authorization_grant_type": application_model.GRANT_AUTHORIZATION_CODE,
        "algorithm": application_model.RS256_ALGORITHM, "skip_authorization": True,
        "redirect_uris": "", "post_logout_redirect_uris": ""})
    server = make_server("127.0.0.1", port, get_wsgi_application(), server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
