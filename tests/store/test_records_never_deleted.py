"""No code deletes a row of the ``records`` table: ``store.screening.records_stamp`` (the TUI's look for records
imported in a shell: their number and the highest id) relies on it. A deletion followed by an import can leave both
as they were (SQLite gives the next record the id of a deleted highest one), and a screening session would go on
with a record that is gone. Read from the source, so a delete added anywhere in the package fails here first
(tidy28 #4: none found in the store, dedup merge and split, prisma remove/restore, migrate or its upgrade steps)."""

from __future__ import annotations

import ast
import re
from shared_data import REPO_ROOT

SRC = REPO_ROOT / "src" / "review"
#: Raw SQL that would remove records: DELETE FROM, TRUNCATE or DROP TABLE of ``records``.
RAW_SQL = re.compile(r"\b(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|DROP\s+TABLE(?:\s+IF\s+EXISTS)?)\s+[\"`]?records\b",
                     re.IGNORECASE)


def _is_records_table(node: ast.AST, aliases: set[str]) -> bool:
    """``schema.records``, ``records`` imported from the schema, a name bound to either, or a lightweight
    ``sa.table("records", …)`` / ``sa.Table("records", …)``."""
    if isinstance(node, ast.Attribute) and node.attr == "records" and isinstance(node.value, ast.Name):
        return node.value.id == "schema"
    if isinstance(node, ast.Name):
        return node.id in aliases
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        return called in ("table", "Table") and node.args[0].value == "records"
    return False


def records_deletions(source: str, where: str) -> list[str]:
    """Every place in ``source`` that deletes rows of ``records``: ``X.delete()``, ``delete(X)`` for the table X,
    or raw SQL doing it."""
    tree = ast.parse(source)
    imported = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and (node.module or "").endswith("schema") for alias in node.names if alias.name == "records"}
    outside = _module_level(tree)
    module_names = _bound_to_records(outside, imported)
    found = _deletions(outside, module_names, where)
    for function in ast.walk(tree):  # a name bound to the table (t = schema.records) counts in its own function
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            inside = list(ast.walk(function))
            found += _deletions(inside, _bound_to_records(inside, module_names), where)
    return sorted(set(found), key=lambda hit: int(hit.rsplit(":", 1)[1]))


def _bound_to_records(nodes: list[ast.AST], aliases: set[str]) -> set[str]:
    bound = set(aliases)
    for node in nodes:
        if isinstance(node, ast.Assign) and _is_records_table(node.value, bound):
            bound |= {target.id for target in node.targets if isinstance(target, ast.Name)}
    return bound


def _module_level(tree: ast.Module) -> list[ast.AST]:
    """The nodes of ``tree`` outside every function."""
    inside = {id(node) for function in ast.walk(tree) if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
              for node in ast.walk(function)}
    return [node for node in ast.walk(tree) if id(node) not in inside]


def _deletions(nodes: list[ast.AST], aliases: set[str], where: str) -> list[str]:
    found = []
    for node in nodes:
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and func.attr == "delete" and _is_records_table(func.value, aliases):
                found.append(f"{where}:{node.lineno}")
            named = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if named == "delete" and node.args and _is_records_table(node.args[0], aliases):
                found.append(f"{where}:{node.lineno}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and RAW_SQL.search(node.value):
            found.append(f"{where}:{node.lineno}")
    return found


def test_no_code_deletes_a_record() -> None:
    found = [hit for path in sorted(SRC.rglob("*.py"))
             for hit in records_deletions(path.read_text(encoding="utf-8"), str(path.relative_to(SRC)))]
    assert found == [], "records_stamp assumes records are never deleted; make it see deletions first"


def test_the_check_finds_each_way_of_deleting_records() -> None:
    # (so the test above cannot pass by looking at nothing)
    ways = {
        "from . import schema\ndef f(conn):\n    conn.execute(schema.records.delete())\n": 1,
        "from . import schema\ndef f(conn, ids):\n    t = schema.records\n    conn.execute(t.delete().where(t.c.id.in_(ids)))\n": 1,
        "import sqlalchemy as sa\nfrom .schema import records\ndef f(conn):\n    conn.execute(sa.delete(records))\n": 1,
        "import sqlalchemy as sa\ndef f(conn):\n    t = sa.table('records', sa.column('id'))\n    conn.execute(t.delete())\n": 1,
        "import sqlalchemy as sa\ndef f(conn):\n    conn.execute(sa.text('DELETE FROM records WHERE id = 3'))\n": 1,
        "def f(conn):\n    conn.exec_driver_sql('truncate table \"records\"')\n": 1,
        "from . import schema\ndef f(conn):\n    t = schema.search_runs\n    conn.execute(t.delete())\n": 0,
        "import sqlalchemy as sa\ndef f(conn):\n    conn.execute(sa.text('DELETE FROM records_seen'))\n": 0,
    }
    assert {source: len(records_deletions(source, "x.py")) for source in ways} == ways

