"""The database triggers that make the audit log append-only, for SQLite and PostgreSQL."""

from typing import Any

TABLE = "audit_auditevent"
HEAD_TABLE = "audit_audithead"
MESSAGE = "The audit log is append-only: events cannot be changed or deleted."

SQLITE_CREATE = [
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_event_no_delete BEFORE DELETE ON {TABLE}
        WHEN safehub_audit_guard() BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER IF NOT EXISTS audit_head_no_delete BEFORE DELETE ON {HEAD_TABLE}
        WHEN safehub_audit_guard() BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TRIGGER IF EXISTS audit_head_no_delete",
]

POSTGRESQL_CREATE = [
    f"""CREATE OR REPLACE FUNCTION safehub_audit_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}'; END; $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION safehub_audit_refuse()""",
    f"""CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON {HEAD_TABLE}
        FOR EACH ROW EXECUTE FUNCTION safehub_audit_refuse()""",
]
POSTGRESQL_DROP = [
    f"DROP TRIGGER IF EXISTS audit_event_append_only ON {TABLE}",
    f"DROP TRIGGER IF EXISTS audit_head_no_delete ON {HEAD_TABLE}",
    "DROP FUNCTION IF EXISTS safehub_audit_refuse()",
]


def _run(schema_editor: Any, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def create(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_CREATE, "postgresql": POSTGRESQL_CREATE})


def drop(apps: Any, schema_editor: Any) -> None:
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP})
