"""What `make bench` measures the portal with, switched on by PORTAL_BENCH=1 only.

- `ServerTimingMiddleware`, first in MIDDLEWARE: the time the whole stack took, the time spent
  in the database and the number of queries, in a `Server-Timing` header, so the benchmark
  reads server-side figures from the production server (gunicorn) itself.
- `baseline`: a bare view behind the same middleware, the yardstick each page's requests per
  second are compared with in the same run.
"""

import time
from collections.abc import Callable

from django.db import connection
from django.http import HttpRequest, HttpResponse


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        queries, database = 0, 0.0

        def timed(execute, sql, params, many, context):
            nonlocal queries, database
            started = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries += 1
                database += time.perf_counter() - started

        started = time.perf_counter()
        with connection.execute_wrapper(timed):
            response = self.get_response(request)
        total = (time.perf_counter() - started) * 1000
        # Streamed bodies are produced after this point: their time is not in `app`.
        response["Server-Timing"] = (
            f'app;dur={total:.2f}, db;dur={database * 1000:.2f}, queries;desc="{queries}"'
        )
        return response


def baseline(request: HttpRequest) -> HttpResponse:
    """Hello world through the full middleware stack."""
    return HttpResponse(b"Hello, world\n", content_type="text/plain")
