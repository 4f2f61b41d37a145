"""PostgreSQL triggers that keep the dashboard's roll-ups in step with every case and task write.

Each row's contribution is a pure function of the row (and, for a task, its case's street and
escalation time); an UPDATE takes the old row's contribution away and adds the new one's. The
definitions are the ones `dashboard.rollups` documents and recomputes with `rebuild` — tests hold
the two to each other after every kind of transition. On other databases (the SQLite demo) nothing
is installed and the dashboard rebuilds instead.
"""

from django.db import migrations

OPEN = "('reported', 'filed', 'dispatched', 'responded')"

INSTALL = f"""
CREATE OR REPLACE FUNCTION dashboard_case_apply(c dispatch_case, sign integer) RETURNS void AS $$
DECLARE
    accepted boolean := c.status NOT IN ('reported', 'rejected');
    closed boolean := c.status NOT IN ('reported', 'rejected') AND c.closed_at IS NOT NULL;
    is_open boolean := c.status IN {OPEN};
BEGIN
    INSERT INTO dashboard_casedaily AS d (day, street_id, volume, accepted, closed, closed_on_time,
        public_reports, reworked, satisfied, basically_satisfied, dissatisfied)
    VALUES ((c.created_at AT TIME ZONE 'Asia/Shanghai')::date, c.street_id, sign,
        sign * accepted::integer,
        sign * closed::integer,
        sign * (closed AND NOT c.overdue)::integer,
        sign * (accepted AND c.source IN ('resident', 'hotline_12345', 'open311'))::integer,
        sign * (closed AND c.rework_count > 0)::integer,
        sign * (c.satisfaction = 'satisfied')::integer,
        sign * (c.satisfaction = 'basically_satisfied')::integer,
        sign * (c.satisfaction = 'dissatisfied')::integer)
    ON CONFLICT (day, street_id) DO UPDATE SET
        volume = d.volume + excluded.volume, accepted = d.accepted + excluded.accepted,
        closed = d.closed + excluded.closed, closed_on_time = d.closed_on_time + excluded.closed_on_time,
        public_reports = d.public_reports + excluded.public_reports, reworked = d.reworked + excluded.reworked,
        satisfied = d.satisfied + excluded.satisfied,
        basically_satisfied = d.basically_satisfied + excluded.basically_satisfied,
        dissatisfied = d.dissatisfied + excluded.dissatisfied;
    INSERT INTO dashboard_categorydaily AS k (day, street_id, category_id, volume)
    VALUES ((c.created_at AT TIME ZONE 'Asia/Shanghai')::date, c.street_id, coalesce(c.category_id, 0), sign)
    ON CONFLICT (day, street_id, category_id) DO UPDATE SET volume = k.volume + excluded.volume;
    IF is_open THEN
        INSERT INTO dashboard_gridstate AS g (grid_id, street_id, open, overdue_open, escalated_open)
        VALUES (c.grid_id, c.street_id, sign, sign * c.overdue::integer, sign * (c.tier = 'district')::integer)
        ON CONFLICT (grid_id) DO UPDATE SET open = g.open + excluded.open,
                                            overdue_open = g.overdue_open + excluded.overdue_open,
                                            escalated_open = g.escalated_open + excluded.escalated_open;
    END IF;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION dashboard_case_rollup() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM dashboard_case_apply(OLD, -1); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM dashboard_case_apply(NEW, 1); END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER dashboard_case_rollup_insert_delete AFTER INSERT OR DELETE ON dispatch_case
    FOR EACH ROW EXECUTE FUNCTION dashboard_case_rollup();
CREATE TRIGGER dashboard_case_rollup_update AFTER UPDATE ON dispatch_case FOR EACH ROW
    WHEN ((OLD.status, OLD.category_id, OLD.closed_at, OLD.overdue, OLD.source, OLD.rework_count, OLD.satisfaction,
           OLD.tier, OLD.street_id, OLD.grid_id, OLD.created_at)
          IS DISTINCT FROM
          (NEW.status, NEW.category_id, NEW.closed_at, NEW.overdue, NEW.source, NEW.rework_count, NEW.satisfaction,
           NEW.tier, NEW.street_id, NEW.grid_id, NEW.created_at))
    EXECUTE FUNCTION dashboard_case_rollup();

CREATE OR REPLACE FUNCTION dashboard_task_apply(t dispatch_task, sign integer) RETURNS void AS $$
DECLARE
    street integer;
    escalated timestamptz;
    due boolean;
    handled boolean;
BEGIN
    SELECT c.street_id, c.escalated_at INTO street, escalated FROM dispatch_case c WHERE c.id = t.case_id;
    -- a lead task cancelled because its case went up to the district at or after its due time counts
    due := t.status NOT IN ('cancelled', 'returned')
           OR (t.status = 'cancelled' AND t.role = 'lead' AND escalated IS NOT NULL AND t.due_at <= escalated);
    handled := due AND t.responded_at IS NOT NULL;
    INSERT INTO dashboard_taskdaily AS d (day, street_id, agency_id, department_id, due, handled, on_time, extended)
    VALUES ((t.created_at AT TIME ZONE 'Asia/Shanghai')::date, coalesce(street, 0), coalesce(t.agency_id, 0),
        coalesce(t.department_id, 0), sign * due::integer, sign * handled::integer,
        sign * (handled AND t.responded_at <= t.due_at)::integer,
        sign * (due AND t.extension_status = 'approved')::integer)
    ON CONFLICT (day, street_id, agency_id, department_id) DO UPDATE SET
        due = d.due + excluded.due, handled = d.handled + excluded.handled,
        on_time = d.on_time + excluded.on_time, extended = d.extended + excluded.extended;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION dashboard_task_rollup() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN PERFORM dashboard_task_apply(OLD, -1); END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM dashboard_task_apply(NEW, 1); END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER dashboard_task_rollup_insert_delete AFTER INSERT OR DELETE ON dispatch_task
    FOR EACH ROW EXECUTE FUNCTION dashboard_task_rollup();
CREATE TRIGGER dashboard_task_rollup_update AFTER UPDATE ON dispatch_task FOR EACH ROW
    WHEN ((OLD.status, OLD.responded_at, OLD.due_at, OLD.extension_status, OLD.agency_id, OLD.department_id,
           OLD.role, OLD.created_at)
          IS DISTINCT FROM
          (NEW.status, NEW.responded_at, NEW.due_at, NEW.extension_status, NEW.agency_id, NEW.department_id,
           NEW.role, NEW.created_at))
    EXECUTE FUNCTION dashboard_task_rollup();
"""

UNINSTALL = """
DROP TRIGGER IF EXISTS dashboard_case_rollup_insert_delete ON dispatch_case;
DROP TRIGGER IF EXISTS dashboard_case_rollup_update ON dispatch_case;
DROP TRIGGER IF EXISTS dashboard_task_rollup_insert_delete ON dispatch_task;
DROP TRIGGER IF EXISTS dashboard_task_rollup_update ON dispatch_task;
DROP FUNCTION IF EXISTS dashboard_case_rollup();
DROP FUNCTION IF EXISTS dashboard_task_rollup();
DROP FUNCTION IF EXISTS dashboard_case_apply(dispatch_case, integer);
DROP FUNCTION IF EXISTS dashboard_task_apply(dispatch_task, integer);
"""


# Existing cases and tasks: the roll-ups start from a full count, made by the functions just
# installed. (It called dashboard.rollups.rebuild once; that is today's Python, which reads columns
# and fills roll-ups later migrations add, so a new database could not get past this step.)
REBUILD = """
TRUNCATE dashboard_casedaily, dashboard_categorydaily, dashboard_taskdaily, dashboard_gridstate;
DO $$ BEGIN
    PERFORM dashboard_case_apply(c, 1) FROM dispatch_case c;
    PERFORM dashboard_task_apply(t, 1) FROM dispatch_task t;
END $$;
"""


def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL)
        schema_editor.execute(REBUILD)


def uninstall(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(UNINSTALL)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0001_initial"),
        ("dispatch", "0011_case_case_escalated_open_idx"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
