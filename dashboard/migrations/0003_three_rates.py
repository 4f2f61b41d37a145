"""The roll-ups of issue 15 ("the loop that bites"): lateness is a fact, returns and the 12345 三率 count.

- closed on time reads `NOT ever_overdue` (a case late once is never on time, however it was
  dispatched again); a task ever overdue is never on time and stays due when returned or cancelled;
- CaseDaily.resolved (解决), TaskDaily received / accept_due / accepted_on_time (签收, 响应率) /
  return_requests / returns_approved (退单), GridState alarm_open / returned_open.

Each roll-up column is stated once below as an SQL expression over a case row `c` (and a task row
`t`); the trigger functions and the rebuild are both generated from those statements, so they
cannot disagree, and `dashboard.rollups` is the same definition in Python (tests hold them equal).
The rebuild is set-based (one GROUP BY per table) and belongs to this migration: it does not call
today's Python, which may read columns and fill roll-ups that later migrations add.
"""

import importlib

from django.db import migrations, models

OPEN = "('reported', 'filed', 'dispatched', 'responded')"
# haidian.reform.RETURNS_FLAGGED when this was written (dashboard.rollups.RETURNS_FLAGGED; tests hold
# them equal): changing it takes a migration that replaces these functions.
RETURNS_FLAGGED = 2
DAY = "(({row}.created_at AT TIME ZONE 'Asia/Shanghai')::date)"

ACCEPTED = "c.status NOT IN ('reported', 'rejected')"
CLOSED = f"({ACCEPTED} AND c.closed_at IS NOT NULL)"
# A task is due unless it went back (returned) or away (cancelled) before it was late.
DUE = ("(t.status NOT IN ('cancelled', 'returned') OR t.ever_overdue"
       " OR (t.status = 'cancelled' AND t.role = 'lead' AND c.escalated_at IS NOT NULL"
       " AND t.due_at <= c.escalated_at))")
HANDLED = f"({DUE} AND t.responded_at IS NOT NULL)"
ACCEPT_DUE = f"({DUE} AND t.accept_due_at IS NOT NULL)"


def flag(condition: str) -> str:
    """A condition as 0 or 1 (never NULL: a NULL would poison the sums)."""
    return f"coalesce(({condition}), false)::integer"


# column → integer expression of one row's contribution
CASE_DAILY = {
    "volume": "1",
    "accepted": flag(ACCEPTED),
    "closed": flag(CLOSED),
    "closed_on_time": flag(f"{CLOSED} AND NOT c.ever_overdue"),
    "public_reports": flag(f"{ACCEPTED} AND c.source IN ('resident', 'hotline_12345', 'open311')"),
    "reworked": flag(f"{CLOSED} AND c.rework_count > 0"),
    "resolved": flag(f"{CLOSED} AND c.satisfaction <> 'dissatisfied'"),
    "satisfied": flag("c.satisfaction = 'satisfied'"),
    "basically_satisfied": flag("c.satisfaction = 'basically_satisfied'"),
    "dissatisfied": flag("c.satisfaction = 'dissatisfied'"),
}
GRID_STATE = {  # of open cases only
    "open": "1",
    "overdue_open": flag("c.overdue"),
    "escalated_open": flag("c.tier = 'district'"),
    "alarm_open": flag("c.priority = 'critical' AND c.alarm_acknowledged_at IS NULL"),
    "returned_open": flag(f"c.return_count >= {RETURNS_FLAGGED}"),
}
TASK_DAILY = {  # over the task t and its case c
    "received": "1",
    "due": flag(DUE),
    "handled": flag(HANDLED),
    "on_time": flag(f"{HANDLED} AND t.responded_at <= t.due_at AND NOT t.ever_overdue"),
    "extended": flag(f"{DUE} AND t.extension_status = 'approved'"),
    "accept_due": flag(ACCEPT_DUE),
    "accepted_on_time": flag(f"{ACCEPT_DUE} AND t.accepted_at IS NOT NULL AND NOT t.accepted_late"),
    # a task returned before return review existed has no request on record: it was one
    "return_requests": "(t.return_requests + " + flag("t.status = 'returned' AND t.return_requests = 0") + ")",
    "returns_approved": flag("t.status = 'returned'"),
}

CASE_KEY = {"day": DAY.format(row="c"), "street_id": "c.street_id"}
CATEGORY_KEY = {**CASE_KEY, "category_id": "coalesce(c.category_id, 0)"}
GRID_KEY = {"grid_id": "c.grid_id", "street_id": "c.street_id"}
TASK_KEY = {"day": DAY.format(row="t"), "street_id": "coalesce(c.street_id, 0)",
            "agency_id": "coalesce(t.agency_id, 0)", "department_id": "coalesce(t.department_id, 0)"}


def upsert(table: str, key: dict[str, str], columns: dict[str, str], conflict: str) -> str:
    """The trigger's statement: add `sign` × the row's contribution to its roll-up row."""
    names = [*key, *columns]
    values = [*key.values(), *(f"sign * {expression}" for expression in columns.values())]
    updates = ", ".join(f"{name} = r.{name} + excluded.{name}" for name in columns)
    return (f"INSERT INTO {table} AS r ({', '.join(names)})\n        VALUES ({', '.join(values)})\n"
            f"        ON CONFLICT ({conflict}) DO UPDATE SET {updates};")


def recount(table: str, key: dict[str, str], columns: dict[str, str], source: str) -> str:
    """The rebuild's statement: every roll-up row of the table from scratch."""
    names = [*key, *columns]
    values = [*key.values(), *(f"sum({expression})" for expression in columns.values())]
    group = ", ".join(str(n) for n in range(1, len(key) + 1))
    return f"INSERT INTO {table} ({', '.join(names)})\nSELECT {', '.join(values)}\n{source}\nGROUP BY {group};"


CASE_COLUMNS_WATCHED = ("status", "category_id", "closed_at", "overdue", "ever_overdue", "source", "rework_count",
                        "satisfaction", "tier", "priority", "alarm_acknowledged_at", "return_count", "street_id",
                        "grid_id", "created_at")
TASK_COLUMNS_WATCHED = ("status", "responded_at", "due_at", "extension_status", "agency_id", "department_id", "role",
                        "created_at", "ever_overdue", "accept_due_at", "accepted_at", "accepted_late",
                        "return_requests")


def watched(columns: tuple[str, ...]) -> str:
    old = ", ".join(f"OLD.{name}" for name in columns)
    new = ", ".join(f"NEW.{name}" for name in columns)
    return f"(({old})\n          IS DISTINCT FROM\n          ({new}))"


INSTALL = f"""
CREATE OR REPLACE FUNCTION dashboard_case_apply(c dispatch_case, sign integer) RETURNS void AS $$
BEGIN
    {upsert("dashboard_casedaily", CASE_KEY, CASE_DAILY, "day, street_id")}
    {upsert("dashboard_categorydaily", CATEGORY_KEY, {"volume": "1"}, "day, street_id, category_id")}
    IF c.status IN {OPEN} THEN
        {upsert("dashboard_gridstate", GRID_KEY, GRID_STATE, "grid_id")}
    END IF;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION dashboard_task_apply(t dispatch_task, sign integer) RETURNS void AS $$
DECLARE
    c dispatch_case;  -- the task's case: its street, and when it went up to the district
BEGIN
    SELECT * INTO c FROM dispatch_case WHERE id = t.case_id;
    {upsert("dashboard_taskdaily", TASK_KEY, TASK_DAILY, "day, street_id, agency_id, department_id")}
END $$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS dashboard_case_rollup_update ON dispatch_case;
CREATE TRIGGER dashboard_case_rollup_update AFTER UPDATE ON dispatch_case FOR EACH ROW
    WHEN {watched(CASE_COLUMNS_WATCHED)}
    EXECUTE FUNCTION dashboard_case_rollup();

DROP TRIGGER IF EXISTS dashboard_task_rollup_update ON dispatch_task;
CREATE TRIGGER dashboard_task_rollup_update AFTER UPDATE ON dispatch_task FOR EACH ROW
    WHEN {watched(TASK_COLUMNS_WATCHED)}
    EXECUTE FUNCTION dashboard_task_rollup();
"""

REBUILD = "\n".join([
    "TRUNCATE dashboard_casedaily, dashboard_categorydaily, dashboard_taskdaily, dashboard_gridstate;",
    recount("dashboard_casedaily", CASE_KEY, CASE_DAILY, "FROM dispatch_case c"),
    recount("dashboard_categorydaily", CATEGORY_KEY, {"volume": "1"}, "FROM dispatch_case c"),
    recount("dashboard_gridstate", GRID_KEY, GRID_STATE, f"FROM dispatch_case c WHERE c.status IN {OPEN}"),
    recount("dashboard_taskdaily", TASK_KEY, TASK_DAILY, "FROM dispatch_task t JOIN dispatch_case c ON c.id = t.case_id"),
])


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL)
        schema_editor.execute(REBUILD)


def uninstall(apps, schema_editor):
    """Back to 0002's functions and triggers, and its count."""
    if schema_editor.connection.vendor == "postgresql":
        previous = importlib.import_module("dashboard.migrations.0002_rollup_triggers")
        schema_editor.execute(previous.UNINSTALL)
        previous.install(apps, schema_editor)


def field(name: str) -> models.IntegerField:
    return models.IntegerField(default=0, verbose_name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0002_rollup_triggers"),
        ("dispatch", "0014_loop_that_bites"),
    ]

    operations = [
        migrations.AddField(model_name="casedaily", name="resolved", field=field("resolved")),
        migrations.AddField(model_name="taskdaily", name="received", field=field("received")),
        migrations.AddField(model_name="taskdaily", name="accept_due", field=field("to accept")),
        migrations.AddField(model_name="taskdaily", name="accepted_on_time", field=field("accepted on time")),
        migrations.AddField(model_name="taskdaily", name="return_requests", field=field("return requests")),
        migrations.AddField(model_name="taskdaily", name="returns_approved", field=field("returns approved")),
        migrations.AddField(model_name="gridstate", name="alarm_open",
                            field=field("open critical, alarm not acknowledged")),
        migrations.AddField(model_name="gridstate", name="returned_open", field=field("open and returned repeatedly")),
        migrations.RunPython(install, uninstall),
    ]
