"""`make bench`: throughput and latency of the hot endpoints under gunicorn and PostgreSQL,
as ratios to the framework floor, at two data sizes.

For each size it creates a fresh database, generates the data in bulk, starts gunicorn (and
keeps PostgreSQL) on CPU 0, and drives every endpoint with wrk pinned to CPU 1 at fixed
concurrency. The floor, a Django view returning a precomputed body of the same size as an
events-list page, runs in the same server in the same run. Prints a Markdown table and writes
JSON to bench/results/ (git-ignored).

    .venv/bin/python bench/run.py [--sizes small large] [--duration 10] [--connections 16]
"""

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
LUA = ROOT / "bench" / "lua"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
PORT = 8100
BASE = f"http://127.0.0.1:{PORT}"
WORKERS = 2
SERVER_CPU, LOAD_CPU = "0", "1"
SIZES = {
    "small": {"events": 1_000, "registrations": 5_000},
    "large": {"events": 100_000, "registrations": 500_000},
}
ENDPOINTS = [
    "floor",
    "events_list",
    "event_detail",
    "my_registrations",
    "check_in",
    "booking",
    "payment_start",
    "payment_verify",
]
# Endpoints whose requests spend something (codes, seats, holds): not warmed up.
SPENDING = ("check_in", "booking", "payment_start", "payment_verify")
DB_URL = "postgres://eventhub:eventhub@127.0.0.1:5432/{name}"
REDIS_PORT = 6390
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"


def log(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", flush=True)


def run(cmd, **kwargs):
    return subprocess.run(cmd, check=True, **kwargs)


def psql(sql: str) -> None:
    run(
        ["su", "postgres", "-c", f'psql -v ON_ERROR_STOP=1 -qtA -c "{sql}"'],
        stdout=subprocess.DEVNULL,
    )


def psql_on(database: str, sql: str) -> None:
    run(
        ["su", "postgres", "-c", f'psql -v ON_ERROR_STOP=1 -qtA -d {database} -c "{sql}"'],
        stdout=subprocess.DEVNULL,
    )


def ensure_tools() -> None:
    missing = [
        package
        for package, command in (("wrk", "wrk"), ("redis-server", "redis-server"))
        if shutil.which(command) is None
    ]
    if missing:
        log(f"installing {', '.join(missing)} from Debian's packages")
        run(["apt-get", "update", "-qq"])
        run(
            ["apt-get", "install", "-y", "-qq", *missing],
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    run(["bash", str(ROOT / "scripts" / "postgres.sh")], stdout=subprocess.DEVNULL)


def start_redis() -> subprocess.Popen:
    """A private Redis on loopback for the cache and the rate-limit counters, as in
    production, kept on the server's core."""
    redis = subprocess.Popen(
        [
            "taskset",
            "-c",
            SERVER_CPU,
            "redis-server",
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        ping = subprocess.run(
            ["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True
        )
        if ping.stdout.strip() == "PONG":
            return redis
        time.sleep(0.1)
    raise RuntimeError("redis-server did not start")


def flush_redis() -> None:
    run(["redis-cli", "-p", str(REDIS_PORT), "flushall"], stdout=subprocess.DEVNULL)


def django_env(database: str) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-" + "x" * 40,
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": DB_URL.format(name=database),
        "DATABASE_CONN_MAX_AGE": "600",
        "REDIS_URL": REDIS_URL,
        # Limits far above what the run sends, so the throttles' own cost is measured but
        # nothing is refused.
        "API_THROTTLE_ANON": "1000000000/hour",
        "API_THROTTLE_USER": "1000000000/hour",
        "API_THROTTLE_AUTH": "1000000000/hour",
        "PAYMENTS_MOCK_ENABLED": "1",
        "PYTHONUNBUFFERED": "1",
    }


def manage(env: dict, *args, capture=False):
    result = run(
        [PYTHON, str(ROOT / "manage.py"), *args],
        env=env,
        cwd=ROOT,
        capture_output=capture,
        text=True,
    )
    return result.stdout if capture else None


def prepare_database(size: str, spec: dict) -> tuple[dict, Path]:
    database = f"eventhub_bench_{size}"
    log(f"{size}: fresh database {database}")
    psql(f"DROP DATABASE IF EXISTS {database}")
    psql(f"CREATE DATABASE {database} OWNER eventhub")
    env = django_env(database)
    manage(env, "migrate", "--noinput", "-v0")
    fixtures = RESULTS / f"fixtures-{size}.json"
    started = time.monotonic()
    manage(
        env,
        "bench_data",
        f"--events={spec['events']}",
        f"--registrations={spec['registrations']}",
        f"--out={fixtures}",
    )
    # As after any bulk load: statistics for the planner, and a visibility map for
    # index-only scans (autovacuum would get there on its own, later).
    psql_on(database, "VACUUM ANALYZE")
    log(f"{size}: data generated in {time.monotonic() - started:.0f} s")
    return env, fixtures


def pin_postgres() -> None:
    """New PostgreSQL backends inherit the postmaster's CPU: keep the database on the server's
    core, away from the load generator."""
    pid = Path("/var/run/postgresql/15-main.pid").read_text().split()[0]
    run(["taskset", "-pc", SERVER_CPU, pid], stdout=subprocess.DEVNULL)


def start_server(env: dict) -> subprocess.Popen:
    server = subprocess.Popen(
        [
            "taskset",
            "-c",
            SERVER_CPU,
            GUNICORN,
            "config.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{BASE}/health/", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("gunicorn did not start")


def worker_pids(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def peak_rss_mb(pids: list[int]) -> float:
    peaks = []
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return round(max(peaks), 1)


def write_lua(name: str, fixtures: dict) -> Path:
    """The wrk script of one endpoint, with its data (tokens, codes) embedded."""
    template = (LUA / f"{name}.lua").read_text()
    header = [
        f"event_id = {fixtures['hot_event']}",
        f"reader_token = {json.dumps(fixtures['reader_token'])}",
        f"organizer_token = {json.dumps(fixtures['organizer_token'])}",
        "tokens = {" + ",".join(json.dumps(t) for t in fixtures["booking_tokens"]) + "}",
        "codes = {" + ",".join(json.dumps(c) for c in fixtures["ticket_codes"]) + "}",
        "payment_starts = {" + ",".join(_lua_pair(p) for p in fixtures["payment_starts"]) + "}",
        "payment_verifies = {" + ",".join(_lua_pair(p) for p in fixtures["payment_verifies"]) + "}",
    ]
    path = RESULTS / f"{name}.lua"
    path.write_text("\n".join(header) + "\n" + (LUA / "common.lua").read_text() + template)
    return path


def _lua_pair(pair) -> str:
    token, number = pair
    return "{" + json.dumps(token) + ", " + str(int(number)) + "}"


def percentile(output: str, p: int) -> str:
    """A line of wrk's "Latency Distribution" ("     50%   12.34ms"); anchored to the line's
    start, because the Thread Stats table can hold values like "74.50%" too."""
    return re.search(rf"^[ \t]*{p}%[ \t]+(\S+)", output, re.M).group(1)


def parse_duration_ms(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def wrk(url: str, script: Path, duration: int, connections: int) -> str:
    return run(
        [
            "taskset",
            "-c",
            LOAD_CPU,
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        capture_output=True,
        text=True,
    ).stdout


def drive(url: str, script: Path, duration: int, connections: int) -> dict:
    output = wrk(url, script, duration, connections)
    if "Latency Distribution" not in output:
        raise RuntimeError(f"wrk gave no latencies for {url}:\n{output}")
    statuses = json.loads(re.search(r"STATUSES (\{.*\})", output).group(1))
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "socket_errors": socket_errors.group(1) if socket_errors else None,
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": parse_duration_ms(percentile(output, 50)),
        "p99_ms": parse_duration_ms(percentile(output, 99)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "statuses": statuses,
        "errors_5xx": sum(n for code, n in statuses.items() if code.startswith("5")),
    }


def bench_size(size: str, spec: dict, args) -> dict:
    flush_redis()
    env, fixtures_path = prepare_database(size, spec)
    fixtures = json.loads(fixtures_path.read_text())
    floor_body = RESULTS / f"floor-body-{size}.json"
    floor_body.write_bytes(b"{}")
    env["BENCH_FLOOR_BODY"] = str(floor_body)
    queries = json.loads(manage(env, "bench_queries", f"--fixtures={fixtures_path}", capture=True))[
        "queries"
    ]
    pin_postgres()
    server = start_server(env)
    try:
        list_url = f"{BASE}/api/v1/events/{fixtures['list_query']}"
        page = urllib.request.urlopen(list_url).read()
        floor_body.write_bytes(page)  # read by each worker on its first floor request
        urls = {
            "floor": f"{BASE}/bench/floor/",
            "events_list": list_url,
            "event_detail": f"{BASE}/api/v1/events/{fixtures['detail_event']}/",
            "my_registrations": f"{BASE}/api/v1/registrations/",
            "check_in": f"{BASE}/api/v1/tickets/check_in/",
            "booking": f"{BASE}/api/v1/registrations/",
            "payment_start": f"{BASE}/api/v1/payments/",
            "payment_verify": f"{BASE}/api/v1/payments/",
        }
        results = {}
        for name in ENDPOINTS:
            script = write_lua(name, fixtures)
            if name not in SPENDING:
                wrk(urls[name], script, 2, args.connections)  # warm up
            log(f"{size}: {name}")
            results[name] = drive(urls[name], script, args.duration, args.connections)
            results[name]["queries"] = queries[name]["queries"]
        rss = peak_rss_mb(worker_pids(server))
    finally:
        server.terminate()
        server.wait(timeout=30)
    after = json.loads(
        manage(env, "bench_queries", f"--fixtures={fixtures_path}", "--seats-only", capture=True)
    )
    seats = after["hot_event"]
    return {
        "size": size,
        "spec": spec,
        "body_bytes": len(page),
        "peak_rss_mb_per_worker": rss,
        "endpoints": results,
        "hot_event": seats,
        "payments": after["payments"],
    }


def table(report: dict) -> str:
    lines = [
        "| size | endpoint | req/s | x floor | p50 ms | p99 ms | queries | 5xx |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for result in report["sizes"]:
        floor = result["endpoints"]["floor"]["rps"]
        for name, r in result["endpoints"].items():
            lines.append(
                f"| {result['size']} | {name} | {r['rps']:.0f} | {r['rps'] / floor:.2f} | "
                f"{r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['queries']} | {r['errors_5xx']} |"
            )
    lines.append("")
    for result in report["sizes"]:
        hot = result["hot_event"]
        lines.append(
            f"- {result['size']}: peak RSS per worker {result['peak_rss_mb_per_worker']} MB; "
            f"events-list page {result['body_bytes']} bytes; hot event {hot['seats_taken']} of "
            f"{hot['capacity']} seats taken after the booking run "
            f"({'no oversell' if hot['seats_taken'] <= hot['capacity'] else 'OVERSOLD'}); "
            f"booking statuses {result['endpoints']['booking']['statuses']}"
        )
        money = result["payments"]
        lines.append(
            f"- {result['size']}: payments succeeded {money['succeeded']}, "
            f"`payment_succeeded` entries {money['succeeded_entries']}, invoices "
            f"{money['invoices']}, paid registrations confirmed {money['confirmed']}, tickets "
            f"{money['tickets']} "
            f"({'each applied once' if money['applied_once'] else 'APPLIED MORE THAN ONCE'})"
        )
    if len(report["sizes"]) == 2:
        small, large = (r["endpoints"]["events_list"] for r in report["sizes"])
        lines.append(f"- events list p50 large/small: {large['p50_ms'] / small['p50_ms']:.2f}x")
    return "\n".join(lines)


def versions() -> dict:
    import django
    import rest_framework

    pg = subprocess.run(
        ["su", "postgres", "-c", "psql -qtA -c 'SHOW server_version'"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    wrk = subprocess.run(["wrk", "--version"], capture_output=True, text=True)
    return {
        "python": platform.python_version(),
        "django": django.get_version(),
        "djangorestframework": rest_framework.VERSION,
        "postgresql": pg,
        "wrk": (wrk.stdout or wrk.stderr).split("\n")[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", choices=list(SIZES), default=list(SIZES))
    parser.add_argument("--duration", type=int, default=10, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    ensure_tools()
    redis = start_redis()
    try:
        sizes = [bench_size(size, SIZES[size], args) for size in args.sizes]
    finally:
        redis.terminate()
    report = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "server_cpu": SERVER_CPU,
            "load_cpu": LOAD_CPU,
        },
        "versions": versions(),
        "settings": {
            "gunicorn_workers": WORKERS,
            "connections": args.connections,
            "duration_s": args.duration,
            "wrk_threads": 1,
            "cache": "redis",
            "catalogue_cache_seconds": 60,
        },
        "sizes": sizes,
    }
    report["elapsed_s"] = round(time.monotonic() - started)
    out = RESULTS / f"bench-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    out.write_text(json.dumps(report, indent=2))
    print()
    print(table(report))
    print(f"\nJSON: {out.relative_to(ROOT)}  ({report['elapsed_s']} s in all)")


if __name__ == "__main__":
    main()
