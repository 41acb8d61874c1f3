"""Assertions and small helpers the tests share."""

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


def iso(when) -> str:
    """A time as the API writes it: UTC, whole seconds, `Z`."""
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")
