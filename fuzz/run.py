"""Fuzz every operation of the published OpenAPI schema against a live server (`make fuzz`,
and in CI): schemathesis generates valid and invalid requests for each operation, as anonymous,
as an attendee, as an organizer and as an admin, and fails on

- any 5xx (`not_a_server_error`),
- any status the operation does not document (`status_code_conformance`),
- any body or content type that does not match the schema (`response_schema_conformance`,
  `content_type_conformance`, `response_headers_conformance`),
- any error body that is not the contract's shape (`error_envelope`, in fuzz/hooks.py),
- and schemathesis's other checks: a method the path does not have that is not a 405 with its
  `Allow` header, a request without credentials that is not refused, an object still readable
  after its delete, and so on (all of them but the two named at `EXCLUDED_CHECKS`).

The server is gunicorn with debugging off, on a throwaway SQLite database holding the demo
data (`seed_demo`), rate limits raised so that the fuzzer meets the rules rather than a 429.
Usage: .venv/bin/python fuzz/run.py [--examples N] [--seed S] [--roles anonymous,attendee,...]
"""

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
ROLES = {"anonymous": None, "attendee": "alice", "organizer": "organizer", "admin": "admin"}
# Every check schemathesis has, and ours (`error_envelope`), but two that test our rules rather
# than the schema's truth: `positive_data_acceptance` expects any request the schema allows to
# succeed (a weak password, a wrong activation token, an id that does not exist are valid
# shapes and still a 400 or 404), and `negative_data_rejection` expects every value outside
# the schema refused (the API is lenient where DRF is: `page_size=abc` is the default size; see
# docs/decisions.md, Errors).
EXCLUDED_CHECKS = "positive_data_acceptance,negative_data_rejection"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(workdir: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{workdir / 'fuzz.sqlite3'}",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "fuzz-only-" + os.urandom(16).hex(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "MEDIA_ROOT": str(workdir / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        # Webhooks the fuzzer makes point anywhere: none is ever sent (deliveries are held),
        # and no address is resolved to check it (no DNS queries for made-up hosts).
        "WEBHOOKS_DELIVERY_ENABLED": "0",
        "WEBHOOKS_ALLOW_PRIVATE_URLS": "1",
        "API_THROTTLE_ANON": "1000000/minute",
        "API_THROTTLE_USER": "1000000/minute",
        "API_THROTTLE_AUTH": "1000000/minute",
        "JWT_ACCESS_MINUTES": "240",
        "REDIS_URL": "",
        "LOG_LEVEL": "ERROR",
    }


def manage(env: dict, *args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True)


def wait_until_up(base: str, server: subprocess.Popen) -> None:
    for _ in range(100):
        if server.poll() is not None:
            sys.exit("The server stopped before answering; see its output above.")
        try:
            with urllib.request.urlopen(f"{base}/health/", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    sys.exit("The server did not answer /health/ within 20 seconds.")


def access_token(base: str, username: str, password: str) -> str:
    request = urllib.request.Request(
        f"{base}/api/v1/auth/jwt/create/",
        data=json.dumps({"username": username, "password": password}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)["access"]


def fuzz(base: str, role: str, token: str | None, args, env: dict) -> int:
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/api/v1/schema/",
        "--checks",
        "all",
        "--exclude-checks",
        EXCLUDED_CHECKS,
        "--max-examples",
        str(args.examples),
        "--seed",
        str(args.seed),
        "--workers",
        "2",
        "--phases",
        "examples,coverage,fuzzing",
        "--suppress-health-check",
        "all",
        "--request-timeout",
        "30",
        "--output-truncate",
        "true",
    ]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    print(f"\n== fuzzing as {role}", flush=True)
    started = time.monotonic()
    code = subprocess.run(
        command, cwd=ROOT, env={**env, "SCHEMATHESIS_HOOKS": "fuzz.hooks"}
    ).returncode
    print(f"== {role}: exit {code} in {time.monotonic() - started:.0f} s", flush=True)
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=25, help="cases per operation and phase")
    parser.add_argument("--seed", type=int, default=20261124, help="the generator's seed")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated, in order")
    args = parser.parse_args()
    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    unknown = set(roles) - set(ROLES)
    if unknown:
        parser.error(f"unknown roles: {', '.join(sorted(unknown))}")

    with tempfile.TemporaryDirectory(prefix="eventhub-fuzz-") as tmp:
        workdir = Path(tmp)
        env = server_env(workdir)
        print("== preparing a throwaway database with the demo data", flush=True)
        manage(env, "migrate", "--noinput", "-v", "0")
        manage(env, "seed_demo")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # gunicorn refuses a request line over 4094 bytes itself, with an HTML page, before
        # the app sees it: lifted here, so that the fuzzer's long query strings test the app.
        server = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                "config.wsgi",
                "--workers",
                "3",
                "--bind",
                f"127.0.0.1:{port}",
                "--limit-request-line",
                "0",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            wait_until_up(base, server)
            import django

            django.setup()
            from users.demo import DEMO_PASSWORD  # the seeded accounts' password

            tokens = {
                role: access_token(base, username, DEMO_PASSWORD) if username else None
                for role, username in ROLES.items()
                if role in roles
            }
            failed = [role for role in roles if fuzz(base, role, tokens[role], args, env)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    if failed:
        print(f"\nFuzzing failed as: {', '.join(failed)}")
        return 1
    print("\nFuzzing passed for every role.")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.exit(main())
