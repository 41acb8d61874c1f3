"""The floor: the least a Django view behind the same middleware and server can do. It returns
a precomputed JSON body of the same size as an events-list page, so every endpoint's throughput
can be read as a fraction of what the stack itself allows."""

import os
from pathlib import Path

from django.http import HttpResponse

_body: bytes | None = None


def floor(request):
    global _body
    if _body is None:
        _body = Path(os.environ["BENCH_FLOOR_BODY"]).read_bytes()
    return HttpResponse(_body, content_type="application/json")
