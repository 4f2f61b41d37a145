"""Every benchmark in one run: `make bench`. Prints one table and writes bench/results/<date>.json.

Runs against the PostgreSQL database named by BENCH_DATABASE_URL (default: the server of
DATABASE_URL, database `haidian_bench`), which it creates, migrates and seeds; if no
`seed_scale` load is complete there it loads one first (BENCH_DAYS × BENCH_PER_DAY, default
365 × 4,000, about a quarter of an hour; resumable). HTTP benchmarks run against a real gunicorn
started here. Nothing is asserted: the figures are printed and kept.

    .venv/bin/python bench/run.py [--smoke] [--only NAME ...] [--out DIR]

`--smoke` runs every benchmark at a tiny size on its own throwaway database (make test does this so
the scripts never rot); its figures mean nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import uuid
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
BIN = Path(sys.executable).parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/haidian"


def database_url(smoke: bool) -> str:
    """BENCH_DATABASE_URL, else DATABASE_URL's server with the database haidian_bench (or _smoke)."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    server = url.rsplit("/", 1)[0]
    if smoke:
        return f"{server}/haidian_bench_smoke"
    return url if os.environ.get("BENCH_DATABASE_URL") else f"{server}/haidian_bench"


@dataclass
class Result:
    name: str
    unit: str
    median: float
    p95: float | None = None
    n: int = 0
    baseline: str = ""
    ratio: float | None = None
    target: str = ""
    extra: dict = field(default_factory=dict)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def timing(name: str, seconds: list[float], **kwargs) -> Result:
    ms = [s * 1000 for s in seconds]
    return Result(name, "ms", round(statistics.median(ms), 2), round(percentile(ms, 0.95), 2), len(ms), **kwargs)


# --- setup -----------------------------------------------------------------------------------------

def setup_django(url: str, smoke: bool) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # Celery through Redis with results, from the start: the app caches its result backend.
    redis = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    os.environ.setdefault("CELERY_BROKER_URL", redis)
    os.environ.setdefault("CELERY_RESULT_BACKEND", redis)
    os.environ.setdefault("GRID_INDEX_CHECK_SECONDS", "0" if smoke else "10")
    from bench._db import ensure_database

    ensure_database(drop=smoke)
    import django

    django.setup()


def prepare_data(*, smoke: bool, out) -> dict:
    from django.core.management import call_command

    from bench.models import ScaleRun

    call_command("migrate", verbosity=0)
    call_command("load_calendar", verbosity=0)
    call_command("seed_haidian", verbosity=0)
    if not ScaleRun.objects.filter(finished_at__isnull=False).exists():
        days, per_day = (2, 50) if smoke else (int(os.environ.get("BENCH_DAYS", 365)),
                                               int(os.environ.get("BENCH_PER_DAY", 4000)))
        out(f"loading generated history: {days} days × {per_day} cases (seed_scale; resumable)")
        started = time.monotonic()
        call_command("seed_scale", days=days, per_day=per_day, no_progress=smoke, force=smoke)
        out(f"  loaded in {time.monotonic() - started:.0f} s")
    from dispatch.models import Case, CaseEvent

    run = ScaleRun.objects.filter(finished_at__isnull=False).order_by("-id").first()
    return {"scale_run": str(run), "cases": Case.objects.count(), "events_estimate": _estimate(CaseEvent)}


def _estimate(model) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [model._meta.db_table])
        return int(cursor.fetchone()[0])


@dataclass
class Cast:
    street_code: str
    grid: dict
    agency_code: str
    tokens: dict[str, str]


def prepare_cast() -> Cast:
    """Bench users in one street, with API tokens (idempotent)."""
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from agencies.models import Agency, District, Street
    from grids.models import GridCell
    from haidian.permissions import Role
    from people.services import membership_grant

    street = Street.objects.get(code="110108007")
    grid = GridCell.objects.filter(community__street=street).order_by("code").first()
    agency = Agency.objects.get(code=f"{street.code}-pcs")
    units = {
        "bench-grid": (Role.GRID_WORKER, grid),
        "bench-staff": (Role.STREET_STAFF, street),
        "bench-agency": (Role.AGENCY_HEAD, agency),
        "bench-command": (Role.DISTRICT_COMMAND, District.objects.get(code="110108")),
    }
    tokens = {}
    for username, (role, unit) in units.items():
        user, _created = get_user_model().objects.get_or_create(username=username)
        membership_grant(user=user, role=role, unit=unit)
        tokens[username] = Token.objects.get_or_create(user=user)[0].key
    return Cast(street.code, {"id": grid.id, "lat": grid.centroid_lat, "lng": grid.centroid_lng,
                              "community_id": grid.community_id, "street_id": street.id}, agency.code, tokens)


def mark_generated(before_id: int) -> None:
    """Cases the benchmarks reported are generated data too: seed_scale must not take them for real."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE dispatch_case SET external_id = 'GEN-' || number "
                       "WHERE id > %s AND external_id IS NULL", [before_id])


# --- HTTP ------------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn serving the project with bench.settings, as production would (sync workers)."""

    def __init__(self, workers: int) -> None:
        self.port = free_port()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DEBUG": "false"}
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "haidian.wsgi:application", "--workers", str(workers), "--bind",
             f"127.0.0.1:{self.port}", "--log-level", "warning", "--max-requests", "0"],
            cwd=ROOT, env=env,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                status, _body = request(self.port, "GET", "/healthz")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("gunicorn did not answer /healthz within 30 s")

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()


def request(port: int, method: str, path: str, token: str | None = None, body: dict | None = None,
            connection: http.client.HTTPConnection | None = None) -> tuple[int, bytes]:
    conn = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    conn.request(method, path, body=payload, headers=headers)
    response = conn.getresponse()
    data = response.read()
    if connection is None:
        conn.close()
    return response.status, data


def timed(port: int, method: str, path: str, token: str | None = None, body: dict | None = None,
          expect: int = 200) -> tuple[float, bytes]:
    started = time.perf_counter()
    status, data = request(port, method, path, token, body)
    elapsed = time.perf_counter() - started
    if status != expect:
        raise RuntimeError(f"{method} {path}: HTTP {status}, expected {expect}: {data[:300]!r}")
    return elapsed, data


# --- intake: the API against its two floors --------------------------------------------------------

def _http_client(args) -> list[float]:
    port, path, token, body, seconds = args
    latencies = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        body = {**body, "title": f"占道经营 {uuid.uuid4().hex[:8]}"}
        latencies.append(timed(port, "POST", path, token, body, expect=201)[0])
    return latencies


def _sql_client(args) -> list[float]:
    url, row, seconds = args
    import dj_database_url
    import psycopg2

    cfg = dj_database_url.parse(url)
    conn = psycopg2.connect(host=cfg["HOST"], port=cfg["PORT"], user=cfg["USER"], password=cfg["PASSWORD"] or None,
                            dbname=cfg["NAME"])
    conn.autocommit = True
    latencies = []
    deadline = time.monotonic() + seconds
    with conn.cursor() as cursor:
        while time.monotonic() < deadline:
            number = f"BS{uuid.uuid4().hex[:18]}"
            started = time.perf_counter()
            cursor.execute(
                "INSERT INTO dispatch_case (number, title, description, lat, lng, address, street_id, community_id, "
                "grid_id, source, external_id, reporter_name, reporter_phone, status, tier, priority, rework_count, "
                "overdue, satisfaction, satisfaction_comment, created_at, updated_at) VALUES (%s, %s, '', %s, %s, "
                "'', %s, %s, %s, 'grid_patrol', %s, '', '', 'reported', 'street', 'normal', 0, false, '', '', "
                "now(), now())",
                [number, "占道经营", row["lat"], row["lng"], row["street_id"], row["community_id"], row["grid_id"],
                 f"GEN-FLOOR-{number}"],
            )
            latencies.append(time.perf_counter() - started)
    conn.close()
    return latencies


def _load(fn, jobs: list) -> tuple[float, list[float]]:
    started = time.monotonic()
    with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
        results = list(pool.map(fn, jobs))
    elapsed = time.monotonic() - started
    latencies = [value for chunk in results for value in chunk]
    return len(latencies) / elapsed, latencies


def bench_intake(server: Server, cast: Cast, *, clients: int, seconds: float, rounds: int) -> list[Result]:
    """Requests/s of the API and its two floors, in interleaved rounds (the median round counts), so
    that whatever else the machine does falls on all three alike."""
    grid = cast.grid
    api_body = {"lat": grid["lat"], "lng": grid["lng"], "source": "grid_patrol", "description": "便道被占用"}
    floor_body = {"lat": grid["lat"], "lng": grid["lng"], "source": "grid_patrol", "grid_id": grid["id"],
                  "community_id": grid["community_id"], "street_id": grid["street_id"]}
    token = cast.tokens["bench-grid"]
    _load(_http_client, [(server.port, "/api/v1/cases/", token, api_body, min(seconds, 1.0))])  # warm up
    runs = {
        "intake.psycopg2_floor": (_sql_client, [(os.environ["DATABASE_URL"], floor_body, seconds)] * clients),
        "intake.django_floor": (_http_client, [(server.port, "/bench/floor/", None, floor_body, seconds)] * clients),
        "intake.api": (_http_client, [(server.port, "/api/v1/cases/", token, api_body, seconds)] * clients),
    }
    rates: dict[str, list[float]] = {name: [] for name in runs}
    latencies: dict[str, list[float]] = {name: [] for name in runs}
    for _round in range(rounds):
        for name, (fn, jobs) in runs.items():
            rate, times = _load(fn, jobs)
            rates[name].append(rate)
            latencies[name] += times
    rows = {}
    for name in runs:
        ms = [s * 1000 for s in latencies[name]]
        rows[name] = Result(name, "req/s", round(statistics.median(rates[name]), 1), None, len(ms),
                            extra={"clients": clients, "rounds": [round(r, 1) for r in rates[name]],
                                   "latency_p50_ms": round(statistics.median(ms), 2),
                                   "latency_p95_ms": round(percentile(ms, 0.95), 2)})
    for name, baseline in (("intake.django_floor", "intake.psycopg2_floor"), ("intake.api", "intake.django_floor")):
        rows[name].baseline = baseline
        rows[name].ratio = round(rows[name].median / rows[baseline].median, 3)
    rows["intake.api"].target = "≥ 0.5 × django floor"
    return list(rows.values())


# --- workflow actions ------------------------------------------------------------------------------

def bench_actions(server: Server, cast: Cast, *, cases: int) -> list[Result]:
    port, t = server.port, cast.tokens
    grid = cast.grid
    times: dict[str, list[float]] = {"create": [], "file": [], "dispatch": [], "respond": [], "verify": []}
    for _i in range(cases):
        elapsed, data = timed(port, "POST", "/api/v1/cases/", t["bench-grid"],
                              {"title": "犬只扰民", "lat": grid["lat"], "lng": grid["lng"], "source": "grid_patrol"},
                              expect=201)
        times["create"].append(elapsed)
        number = json.loads(data)["number"]
        path = f"/api/v1/cases/{number}"
        times["file"].append(timed(port, "POST", f"{path}/file/", t["bench-staff"], {"category": "A02-06"})[0])
        times["dispatch"].append(timed(port, "POST", f"{path}/dispatch/", t["bench-staff"],
                                       {"lead": cast.agency_code})[0])
        _elapsed, data = timed(port, "GET", f"{path}/", t["bench-agency"])
        task = next(row["id"] for row in json.loads(data)["tasks"] if row["status"] == "pending")
        times["respond"].append(timed(port, "POST", f"/api/v1/tasks/{task}/respond/", t["bench-agency"],
                                      {"result": "民警到场处置，已解决。"})[0])
        times["verify"].append(timed(port, "POST", f"{path}/verify/", t["bench-staff"], {"passed": True})[0])
    return [timing(f"action.{name}", values, target="p95 < 150 ms") for name, values in times.items()]


# --- lists and detail ------------------------------------------------------------------------------

def _deep_cursor(path: str, queryset, depth: int) -> str:
    """The cursor a client would hold after paging `depth` rows into the list."""
    from django.utils import timezone
    from rest_framework.pagination import Cursor

    from dispatch.api import NewestFirstPagination

    row = queryset.order_by("-created_at", "-id").values_list("created_at", flat=True)[depth:depth + 1]
    oldest = queryset.order_by("created_at").values_list("created_at", flat=True)[:1]
    # A small smoke history can leave a list empty (no district-tier case waiting): page from now.
    position = row[0] if row else oldest[0] if oldest else timezone.now()
    pager = NewestFirstPagination()
    pager.base_url = f"http://bench{path}"
    url = pager.encode_cursor(Cursor(offset=0, reverse=False, position=str(position)))
    return url.split("cursor=", 1)[1].split("&", 1)[0]


def bench_lists(server: Server, cast: Cast, *, repeat: int, depth: int) -> list[Result]:
    from agencies.models import Street
    from dispatch.models import Case

    street = Street.objects.get(code=cast.street_code)
    t = cast.tokens
    lists = [
        ("list.street_all", "/api/v1/cases/?", "bench-staff", Case.objects.filter(street=street)),
        ("list.street_queue_dispatched", "/api/v1/cases/?status=dispatched&", "bench-staff",
         Case.objects.filter(street=street, status="dispatched")),
        ("list.street_queue_closed", "/api/v1/cases/?status=closed&", "bench-staff",
         Case.objects.filter(street=street, status="closed")),
        ("list.district_all", "/api/v1/cases/?", "bench-command", Case.objects.all()),
        ("list.district_tier_open", "/api/v1/cases/?tier=district&status=filed&", "bench-command",
         Case.objects.filter(tier="district", status="filed")),
    ]
    rows = []
    for name, path, user, queryset in lists:
        first = [timed(server.port, "GET", f"{path}page_size=20", t[user])[0] for _ in range(repeat)]
        rows.append(timing(f"{name}.first_page", first, target="p95 < 150 ms"))
        cursor = _deep_cursor(path, queryset, depth)
        deep = [timed(server.port, "GET", f"{path}page_size=20&cursor={cursor}", t[user])[0] for _ in range(repeat)]
        rows.append(timing(f"{name}.deep_page", deep, target="p95 < 150 ms", extra={"depth": depth}))
    inbox = [timed(server.port, "GET", "/api/v1/tasks/?status=pending", t["bench-agency"])[0] for _ in range(repeat)]
    rows.append(timing("list.agency_inbox_pending", inbox, target="p95 < 150 ms"))
    return rows


def detail_case(cast: Cast) -> str:
    """A case with 20 events: filed, dispatched with a co-operating agency, reworked six times, closed."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from agencies.models import Agency
    from dispatch import services
    from dispatch.models import Category, Task, TaskRole

    users = {u.username: u for u in get_user_model().objects.filter(username__startswith="bench-")}
    helper = Agency.objects.get(code=f"{cast.street_code}-cgfd")
    helper_head, _created = get_user_model().objects.get_or_create(username="bench-helper")
    from haidian.permissions import Role
    from people.services import membership_grant

    membership_grant(user=helper_head, role=Role.AGENCY_HEAD, unit=helper)
    at = timezone.now() - dt.timedelta(days=20)

    def tick():
        nonlocal at
        at += dt.timedelta(minutes=30)
        return at

    case = services.case_create(actor=users["bench-grid"], title="犬只扰民（详情基准）", lat=cast.grid["lat"],
                                lng=cast.grid["lng"], source="grid_patrol", now=tick())
    case = services.case_file(case=case, actor=users["bench-staff"], category=Category.objects.get(code="A02-06"),
                              now=tick())
    case = services.case_dispatch(case=case, actor=users["bench-staff"], lead=cast.agency_code,
                                  cooperating=[helper.code], now=tick())
    lead = Task.objects.get(case=case, role=TaskRole.LEAD)
    other = Task.objects.get(case=case, role=TaskRole.COOPERATING)
    services.task_accept(task=lead, actor=users["bench-agency"], now=tick())
    services.task_accept(task=other, actor=helper_head, now=tick())
    services.task_respond(task=other, actor=helper_head, result="城管配合处置。", now=tick())
    services.task_respond(task=lead, actor=users["bench-agency"], result="民警到场处置。", now=tick())
    for _round in range(6):
        services.case_verify(case=case, actor=users["bench-staff"], passed=False, note="仍未解决", now=tick())
        services.task_respond(task=lead, actor=users["bench-agency"], result="再次处置。", now=tick())
    services.case_verify(case=case, actor=users["bench-staff"], passed=True, now=tick())
    assert case.events.count() == 20
    return case.number


def bench_detail(server: Server, cast: Cast, *, repeat: int) -> list[Result]:
    number = detail_case(cast)
    path = f"/api/v1/cases/{number}/"
    times = [timed(server.port, "GET", path, cast.tokens["bench-staff"])[0] for _ in range(repeat)]
    agency = [timed(server.port, "GET", path, cast.tokens["bench-agency"])[0] for _ in range(repeat)]
    return [timing("detail.20_events.street_staff", times, target="p95 < 100 ms"),
            timing("detail.20_events.agency", agency, target="p95 < 100 ms")]


# --- the deadline sweep ----------------------------------------------------------------------------

SWEEP_MARK = "BENCH-SWEEP"


def bench_sweep(*, tasks: int) -> list[Result]:
    """One sweep over `tasks` open tasks (a quarter past their yellow point, half past due), then a
    second sweep with nothing new to do. The tasks are co-operating ones on closed cases, so the
    sweep raises cards and notifications but escalates nothing; they are removed afterwards."""
    import random

    from django.db import connection
    from django.utils import timezone

    from bench import scale
    from dispatch import sweep
    from dispatch.models import Task

    now = timezone.now()
    rng = random.Random(2013)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, street_id FROM dispatch_case WHERE status = 'closed' ORDER BY id DESC LIMIT %s",
                       [tasks])
        cases = cursor.fetchall()
        cursor.execute("SELECT a.id, s.street_id FROM agencies_agency a "
                       "JOIN agencies_agency_streets s ON s.agency_id = a.id")
        by_street: dict[int, list[int]] = {}
        for agency_id, street_id in cursor.fetchall():
            by_street.setdefault(street_id, []).append(agency_id)
        ids = scale._reserve_ids(cursor, Task, len(cases))
        rows = []
        for case_id, street_id in cases:
            created = now - dt.timedelta(days=rng.uniform(1, 10))
            due = now + dt.timedelta(hours=rng.uniform(-48, 48))  # half of them past due
            warn = created + (due - created) * 0.75
            rows.append((next(ids), case_id, rng.choice(by_street[street_id]), None, "cooperating", "pending", due,
                         None, None, SWEEP_MARK, "", None, "", warn, created))
        scale._copy(cursor, Task, scale.TASK_COLUMNS, rows)
    try:
        started = time.perf_counter()
        first = sweep.sweep_deadlines(now=now)
        first_s = time.perf_counter() - started
        started = time.perf_counter()
        sweep.sweep_deadlines(now=now)
        again_s = time.perf_counter() - started
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM notifications_notification WHERE created_at = %s AND kind IN "
                           "('yellow_card', 'red_card')", [now])
            cursor.execute("DELETE FROM dispatch_deadlinecard WHERE task_id IN "
                           "(SELECT id FROM dispatch_task WHERE result = %s)", [SWEEP_MARK])
            cursor.execute("DELETE FROM dispatch_task WHERE result = %s", [SWEEP_MARK])
    extra = {"open_tasks": len(rows), "yellow": first.yellow, "red": first.red, "notifications": first.notifications}
    return [Result("sweep.100k_open_tasks.first", "s", round(first_s, 2), None, 1, target="< 5 s", extra=extra),
            Result("sweep.100k_open_tasks.again", "s", round(again_s, 2), None, 1, target="< 5 s")]


# --- assessment ------------------------------------------------------------------------------------

def bench_assessment_round() -> list[Result]:
    """The half-year just ended, computed as the Celery task does (bench/assessment.py)."""
    from assessment.schedule import half_just_ended
    from bench.assessment import measure
    from bench.assessment_pages import measure_pages

    period, _began = half_just_ended(dt.date.today())
    figures = measure(period)
    results = [Result("assessment.round_compute", "s", figures["compute_s"], None, 1, target="< 60 s",
                      extra=figures)]
    for name, page in measure_pages(period).items():
        if isinstance(page, dict):  # the public pages, after publishing the round (bench/assessment_pages.py)
            results.append(Result(f"assessment.page_{name}", "ms", page["median_ms"], None, 5,
                                  extra={"first_ms": page["first_ms"], "queries": page["queries_cached"]}))
    return results


def bench_dashboard() -> list[Result]:
    """One refresh of the dashboard's data over the whole history (bench/dashboard.py)."""
    from bench.dashboard import measure

    figures = measure()
    return [Result(f"dashboard.{name}", "ms", row["median_ms"], row["p95_ms"], 20,
                   target="p95 < 300 ms" if name.startswith(("summary", "http")) else "")
            for name, row in figures["timings"].items()]


# --- locate and memory -----------------------------------------------------------------------------

def bench_locate(points: int) -> list[Result]:
    from bench.locate import measure

    figures = measure(points=points, repeat=3)
    return [Result("locate.bulk", "s", figures["locate_many_median_s"], figures["locate_many_max_s"], 3,
                   extra={"points": points, "index_build_s": figures["index_build_s"]}),
            Result("locate.one_by_one", "µs/point", figures["locate_single_us"], None, 10_000)]


def peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def bench_web_memory(server: Server) -> list[Result]:
    peaks = [peak_kib(pid) for pid in server.worker_pids()]
    return [Result("memory.web_worker_peak", "MiB", round(max(peaks) / 1024, 1), None, len(peaks),
                   extra={"workers_mib": [round(p / 1024, 1) for p in peaks]})]


def bench_celery_memory(*, tasks: int) -> list[Result]:
    """A Celery worker (prefork, one child) against Redis, after `tasks` round trips."""
    from haidian.celery import app

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings"}
    broker = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15")
    env.update(CELERY_BROKER_URL=broker, CELERY_RESULT_BACKEND=broker)
    app.conf.broker_url = app.conf.result_backend = broker
    queue = f"bench-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [str(BIN / "celery"), "-A", "haidian", "worker", "--pool", "prefork", "--concurrency", "1", "-Q", queue,
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
    )
    try:
        started = time.perf_counter()
        results = [app.send_task("haidian.ping", args=[f"bench {i}"], queue=queue) for i in range(tasks)]
        for result in results:
            result.get(timeout=60)
        elapsed = time.perf_counter() - started
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        peaks = {"main": peak_kib(worker.pid), **{f"child {pid}": peak_kib(int(pid)) for pid in children}}
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
    return [Result("memory.celery_worker_peak", "MiB", round(max(peaks.values()) / 1024, 1), None, tasks,
                   extra={"processes_mib": {k: round(v / 1024, 1) for k, v in peaks.items()},
                          "ping_round_trips_per_s": round(tasks / elapsed, 1)})]


# --- the run ---------------------------------------------------------------------------------------

def print_table(results: list[Result]) -> None:
    print(f"{'benchmark':40} {'unit':>8} {'median':>10} {'p95':>10} {'n':>7} {'vs baseline':>12}  target")
    for r in results:
        p95 = "" if r.p95 is None else f"{r.p95:,.2f}"
        ratio = "" if r.ratio is None else f"{r.ratio:.2f}×"
        print(f"{r.name:40} {r.unit:>8} {r.median:>10,.2f} {p95:>10} {r.n:>7} {ratio:>12}  {r.target}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, own throwaway database")
    parser.add_argument("--only", nargs="*", default=None,
                        help="intake actions lists detail sweep dashboard assessment locate memory (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = parser.parse_args(argv)
    smoke = args.smoke
    setup_django(database_url(smoke), smoke)

    from dispatch.models import Case

    def out(line: str) -> None:
        print(line, flush=True)

    data = prepare_data(smoke=smoke, out=out)
    out(f"database: {data['cases']:,} cases, ≈ {data['events_estimate']:,} events ({data['scale_run']})")
    cast = prepare_cast()
    before_id = Case.objects.order_by("-id").values_list("id", flat=True).first() or 0
    wanted = set(args.only or ["intake", "actions", "lists", "detail", "sweep", "dashboard", "assessment", "locate",
                               "memory"])
    results: list[Result] = []
    server = Server(workers=4)
    try:
        if "intake" in wanted:
            out("intake over HTTP …")
            results += bench_intake(server, cast, clients=2 if smoke else 4, seconds=0.5 if smoke else 5,
                                    rounds=1 if smoke else 3)
        if "actions" in wanted:
            out("workflow actions …")
            results += bench_actions(server, cast, cases=3 if smoke else 100)
        if "lists" in wanted:
            out("lists …")
            results += bench_lists(server, cast, repeat=3 if smoke else 100, depth=20 if smoke else 20_000)
        if "detail" in wanted:
            out("detail …")
            results += bench_detail(server, cast, repeat=3 if smoke else 200)
        if "memory" in wanted:
            results += bench_web_memory(server)
    finally:
        server.stop()
        mark_generated(before_id)
    if "sweep" in wanted:
        out("deadline sweep …")
        results += bench_sweep(tasks=1_000 if smoke else 100_000)
    if "dashboard" in wanted:
        out("dashboard …")
        results += bench_dashboard()
    if "assessment" in wanted:
        out("assessment round …")
        results += bench_assessment_round()
    if "locate" in wanted:
        out("locate …")
        results += bench_locate(1_000 if smoke else 100_000)
    if "memory" in wanted:
        out("celery worker …")
        results += bench_celery_memory(tasks=5 if smoke else 500)

    print()
    print_table(results)
    report = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "smoke": smoke,
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)},
        "data": data,
        "results": [asdict(r) for r in results],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"{dt.date.today().isoformat()}{'-smoke' if smoke else ''}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwritten to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
