"""What a browser is told about safety, in the configuration the compose stack runs
(debugging off, its required secrets filled in): every answer carries the protective headers,
plain HTTP is sent to HTTPS, cookies are HTTPS-only, and only the configured frontend origin
may read answers across origins.

The settings are read once, when Django starts, so the requests run in a process of their own
started with that environment (`manage.py shell`), which prints what it got as JSON."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import compose_environment

ROOT = Path(__file__).resolve().parents[2]

PROBE = """
import json
from django.test import Client

client = Client()
secure = {"secure": True}
answers = {}

def note(name, response):
    answers[name] = {
        "status": response.status_code,
        "headers": {key.lower(): value for key, value in response.headers.items()},
        "cookies": {
            key: {"secure": bool(morsel["secure"]), "httponly": bool(morsel["httponly"])}
            for key, morsel in response.cookies.items()
        },
        "body": response.content[:300].decode(errors="replace"),
    }

note("plain_http", client.get("/api/v1/events/"))
note("events", client.get("/api/v1/events/", **secure))
note("unknown", client.get("/api/v1/nowhere/", **secure))
note("unknown_site_path", client.get("/nowhere/", **secure))
note("admin_login", client.get("/admin/login/", **secure))
note("allowed_origin", client.get(
    "/api/v1/events/", HTTP_ORIGIN="https://app.example.com", **secure))
note("other_origin", client.get(
    "/api/v1/events/", HTTP_ORIGIN="https://evil.example.net", **secure))
print("ANSWERS" + json.dumps(answers))
"""


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("headers")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        **compose_environment(),
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
        "STATIC_ROOT": str(workdir / "static"),
        "DJANGO_ALLOWED_HOSTS": "testserver",
        "CORS_ALLOWED_ORIGINS": "https://app.example.com",
        "REDIS_URL": "",
    }
    assert env["DJANGO_DEBUG"] == "0"
    run = {"cwd": ROOT, "env": env, "capture_output": True, "text": True, "timeout": 120}
    for command in (["migrate"], ["collectstatic", "--noinput"]):
        done = subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], **run)
        assert done.returncode == 0, done.stderr
    probe = subprocess.run([sys.executable, "manage.py", "shell", "-c", PROBE], **run)
    assert probe.returncode == 0, probe.stdout + probe.stderr
    return json.loads(probe.stdout.split("ANSWERS", 1)[1])


def test_plain_http_is_sent_to_https(answers):
    plain = answers["plain_http"]
    assert plain["status"] == 301
    assert plain["headers"]["location"] == "https://testserver/api/v1/events/"


@pytest.mark.parametrize("name", ["events", "unknown", "unknown_site_path", "admin_login"])
def test_every_answer_carries_the_protective_headers(answers, name):
    headers = answers[name]["headers"]
    assert headers["strict-transport-security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"


@pytest.mark.parametrize("name", ["unknown", "unknown_site_path"])
def test_unknown_paths_are_json_without_debug_help(answers, name):
    answer = answers[name]
    assert answer["status"] == 404
    assert answer["headers"]["content-type"] == "application/json"
    assert json.loads(answer["body"])["error_code"] == "not_found"


def test_the_admins_csrf_cookie_is_https_only(answers):
    assert answers["admin_login"]["status"] == 200
    assert answers["admin_login"]["cookies"]["csrftoken"]["secure"] is True


def test_only_the_configured_frontend_may_read_answers_across_origins(answers):
    allowed = answers["allowed_origin"]["headers"]
    assert allowed["access-control-allow-origin"] == "https://app.example.com"
    assert "x-ratelimit-remaining" in allowed["access-control-expose-headers"].lower()
    assert "access-control-allow-origin" not in answers["other_origin"]["headers"]
