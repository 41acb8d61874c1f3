"""Assertions and small helpers the tests share."""

import re
import secrets
from pathlib import Path

import yaml

ERROR_KEYS = {"success", "message", "error_code", "details"}


def assert_error(response, status, code):
    """The response has `status` and the API's error shape with `error_code` == `code`."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["success"] is False
    assert body["error_code"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    return body


def url_id(url: str) -> str:
    """A parametrized test's id for a URL, of letters, digits, dots and dashes: mutmut cannot
    run a test whose id holds brackets or "::" (`http://[::1]/` is `ipv6-1`)."""
    host_and_path = url.split("//", 1)[-1]
    prefix = "ipv6-" if host_and_path.startswith("[") else ""
    return prefix + (re.sub(r"[^\w.]+", "-", host_and_path).strip("-") or "root")


def iso(when) -> str:
    """A time as the API writes it: UTC, whole seconds, `Z`."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def admin_change_url(obj) -> str:
    from django.urls import reverse

    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def assert_admin_lists(page, shown=(), hidden=()):
    """The Django admin changelist `page` lists every object of `shown`, each with its change
    link, and none of `hidden` (neither in its results nor as a link)."""
    assert page.status_code == 200, page.content[:500]
    listed = set(page.context["cl"].result_list)
    html = page.content.decode()
    for obj in shown:
        assert obj in listed, f"{obj!r} is not listed"
        assert admin_change_url(obj) in html
    for obj in hidden:
        assert obj not in listed, f"{obj!r} is listed"
        assert admin_change_url(obj) not in html


def admin_filter_link(page, title, choice) -> str:
    """The query string behind the `choice` link of the `title` filter in the sidebar of the
    admin changelist `page`: what a person clicks. Fails when the changelist offers no such
    filter or no such choice."""
    changelist = page.context["cl"]
    offered = {}
    for spec in changelist.filter_specs:
        choices = {str(c["display"]): c["query_string"] for c in spec.choices(changelist)}
        offered[str(spec.title)] = list(choices)
        if str(spec.title) == title and choice in choices:
            return choices[choice]
    raise AssertionError(f"No {title!r} filter with a {choice!r} choice; filters: {offered}")


def compose_environment() -> dict:
    """The environment the compose stack gives the app: .env.example under the compose file's
    own settings, its required secrets filled in."""
    root = Path(__file__).resolve().parent.parent
    env = {
        key: value
        for key, _, value in (
            line.partition("=")
            for line in (root / ".env.example").read_text().splitlines()
            if line and not line.startswith("#")
        )
        if value
    }
    compose = yaml.safe_load((root / "docker-compose.yml").read_text())
    for key, value in compose["x-app"]["environment"].items():
        required = re.fullmatch(r"\$\{(\w+):\?.*\}", str(value))
        defaulted = re.fullmatch(r"\$\{(\w+):-(.*)\}", str(value))
        if required:
            env[key] = secrets.token_urlsafe(50)
        elif defaulted:  # .env's value when it has one, else the compose file's default
            env[key] = env.get(defaulted[1]) or defaulted[2]
        else:
            env[key] = str(value)
    return env
