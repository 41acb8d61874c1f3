"""Schemathesis checks of our own, loaded through SCHEMATHESIS_HOOKS=fuzz.hooks by fuzz/run.py."""

import schemathesis

ERROR_KEYS = {"success", "message", "error_code", "details"}


@schemathesis.check
def error_envelope(ctx, response, case):
    """Every 4xx/5xx answer of the API is the contract's error shape: JSON with exactly
    `success` (false), `message` (a non-empty string), `error_code` (a string) and `details`
    (an object)."""
    if response.status_code < 400:
        return None
    try:
        body = response.json()
    except ValueError:
        raise AssertionError(
            f"{response.status_code} answer is not JSON: {response.text[:200]!r}"
        ) from None
    assert isinstance(body, dict) and set(body) == ERROR_KEYS, f"not the error shape: {body!r}"
    assert body["success"] is False, body
    assert isinstance(body["message"], str) and body["message"], body
    assert isinstance(body["error_code"], str) and body["error_code"], body
    assert isinstance(body["details"], dict), body
    return None
