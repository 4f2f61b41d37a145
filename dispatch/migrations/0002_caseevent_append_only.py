"""On PostgreSQL the database itself refuses to change or delete a case event."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION dispatch_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'case events are append-only (% on event %)', TG_OP, OLD.id;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER dispatch_caseevent_append_only
    BEFORE UPDATE OR DELETE ON dispatch_caseevent
    FOR EACH ROW EXECUTE FUNCTION dispatch_caseevent_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS dispatch_caseevent_append_only ON dispatch_caseevent;
DROP FUNCTION IF EXISTS dispatch_caseevent_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
