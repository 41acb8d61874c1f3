"""Schemathesis checks of our own, loaded through SCHEMATHESIS_HOOKS=fuzz.hooks by fuzz/run.py."""

import ast
import threading

import schemathesis

# One syntax tree built at a time in the fuzzer's process. CPython 3.11 keeps the AST
# constructor's recursion depth in state its threads share, so two of schemathesis' workers
# building trees at once (Hypothesis parses source to describe its lambdas) can fail with
# "SystemError: AST constructor recursion depth mismatch" (python/cpython#106905), a crash of
# the tool that reads like a finding. It costs nothing: they are small and rare.
_build_tree = ast.parse
_one_tree_at_a_time = threading.Lock()


def _parse(*args, **kwargs):
    with _one_tree_at_a_time:
        return _build_tree(*args, **kwargs)


ast.parse = _parse

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
