"""No code deletes a row of the ``records`` table: ``store.screening.records_stamp`` (the TUI's look for records
imported in a shell: their number and the highest id) relies on it. A deletion followed by an import can leave both
as they were (SQLite gives the next record the id of a deleted highest one), and a screening session would go on
with a record that is gone. Read from the source, so a delete added anywhere in the package fails here first
(tidy28 #4: none found in the store, dedup merge and split, prisma remove/restore, migrate or its upgrade steps).

A delete whose table the check cannot name (a loop over ``metadata.sorted_tables``, a parameter, ``SQL`` built with
an f-string) counts as one of ``records``: bind the table to ``schema.NAME`` where it is deleted from. Only modules
that use SQLAlchemy are read for ``X.delete()`` / ``delete(X)`` (an HTTP client's ``delete(url)`` is no table), and
only files that spell a delete at all (``delete(``, ``DELETE FROM``, ``TRUNCATE``, ``DROP TABLE``, ``import delete as``;
rrev28a: 17 of 233 modules, 0.3 s, where parsing every module took 2 s)."""

from __future__ import annotations

import ast
import re
from shared_data import REPO_ROOT

SRC = REPO_ROOT / "src" / "review"
#: Raw SQL that would remove records: DELETE FROM, TRUNCATE or DROP TABLE of ``records`` (or of a table named by a
#: placeholder, ``\0`` standing for an f-string's ``{…}``).
RAW_SQL = re.compile(r"\b(?:DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?|DROP\s+TABLE(?:\s+IF\s+EXISTS)?)\s+"
                     r"(?:[\w\"`]+\.)?(?:[\"`]?records\b|\x00)", re.IGNORECASE)
#: What every way of deleting above spells out: a file without it is not parsed.
WORDS = re.compile(r"delete\s*\(|delete\s+(?:from|as)\b|truncate|drop\s+table", re.IGNORECASE)
UNKNOWN = "?"
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)


def _schema_modules(tree: ast.Module) -> set[str]:
    """Names bound to a schema module: ``from . import schema [as s]``, ``import review.store.schema as s``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {alias.asname or alias.name for alias in node.names if alias.name == "schema"}
        elif isinstance(node, ast.Import):
            names |= {alias.asname for alias in node.names if alias.name.endswith(".schema") and alias.asname}
    return names


def _imported_tables(tree: ast.Module) -> dict[str, set[str]]:
    """Names imported from a schema module, each standing for its table (``records as r``: r is records)."""
    return {alias.asname or alias.name: {alias.name} for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and (node.module or "").endswith("schema") for alias in node.names}


def _tables_of(node: ast.AST, bound: dict[str, set[str]], schemas: set[str]) -> set[str]:
    """The tables ``node`` may stand for; ``{UNKNOWN}`` where it cannot be told."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in schemas:
        return {node.attr}
    if isinstance(node, ast.Name):
        return bound.get(node.id, {UNKNOWN})
    if isinstance(node, ast.Call) and node.args:
        called = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if called in ("table", "Table"):
            first = node.args[0]
            return {first.value} if isinstance(first, ast.Constant) and isinstance(first.value, str) else {UNKNOWN}
    return {UNKNOWN}


def _targets(node: ast.AST) -> list[str]:
    return [name.id for name in ast.walk(node) if isinstance(name, ast.Name)]


def _bindings(nodes: list[ast.AST], outer: dict[str, set[str]], schemas: set[str]) -> dict[str, set[str]]:
    """What each name bound among ``nodes`` may stand for: a plain assignment its value's tables, any other
    binding (a loop, a parameter, ``with … as``, a tuple's unpacking) ``UNKNOWN``; names not bound here as outside."""
    bound: dict[str, set[str]] = {}
    for node in nodes:
        if isinstance(node, ast.Assign):
            tables = _tables_of(node.value, {**outer, **bound}, schemas)
            for target in node.targets:
                for name in _targets(target):
                    bound.setdefault(name, set()).update(tables if isinstance(target, ast.Name) else {UNKNOWN})
        elif isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            for name in _targets(node.target):
                bound.setdefault(name, set()).add(UNKNOWN)
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign, ast.NamedExpr)):
            for name in _targets(node.target):
                bound.setdefault(name, set()).add(UNKNOWN)
        elif isinstance(node, ast.withitem) and node.optional_vars is not None:
            for name in _targets(node.optional_vars):
                bound.setdefault(name, set()).add(UNKNOWN)
        elif isinstance(node, ast.arg):
            bound.setdefault(node.arg, set()).add(UNKNOWN)
    return {**outer, **bound}


def _own_nodes(scope: ast.AST) -> list[ast.AST]:
    """The nodes of ``scope`` outside the functions defined in it (their parameters included: theirs)."""
    nodes: list[ast.AST] = []
    todo = list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        nodes.append(node)
        if not isinstance(node, FUNCTIONS):
            todo.extend(ast.iter_child_nodes(node))
    return nodes


def _docstrings(tree: ast.Module) -> set[int]:
    """The docstrings' nodes: text about SQL, never run."""
    return {id(body[0].value) for node in ast.walk(tree) if isinstance(node, (ast.Module, ast.ClassDef, *FUNCTIONS[:2]))
            and (body := node.body) and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)}


def records_deletions(source: str, where: str) -> list[str]:
    """Every place in ``source`` that deletes rows of ``records`` or of a table that cannot be told."""
    if not WORDS.search(source):
        return []
    tree = ast.parse(source)
    uses_sqlalchemy = any(isinstance(node, (ast.Import, ast.ImportFrom)) and any(
        (getattr(node, "module", None) or alias.name).split(".")[0] == "sqlalchemy" or alias.name == "schema"
        or (getattr(node, "module", None) or "").endswith("schema") for alias in node.names) for node in ast.walk(tree))
    schemas, docstrings = _schema_modules(tree), _docstrings(tree)
    deleters = {"delete"} | {alias.asname for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                             and (node.module or "").startswith("sqlalchemy") for alias in node.names
                             if alias.name == "delete" and alias.asname}
    found: list[str] = []

    def scan(scope: ast.AST, outer: dict[str, set[str]]) -> None:
        nodes = _own_nodes(scope)
        bound = _bindings(nodes + ([scope] if isinstance(scope, FUNCTIONS) else []), outer, schemas)
        if isinstance(scope, FUNCTIONS):  # its parameters: anything
            bound |= {arg.arg: {UNKNOWN} for arg in ast.walk(scope.args) if isinstance(arg, ast.arg)}
        for node in nodes:
            if isinstance(node, FUNCTIONS):
                scan(node, bound)
            elif isinstance(node, ast.Call) and uses_sqlalchemy:
                func = node.func
                named = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                tables: set[str] = set()
                if isinstance(func, ast.Attribute) and func.attr == "delete" and not node.args:
                    tables = _tables_of(func.value, bound, schemas)  # X.delete()
                elif named in deleters and node.args:
                    tables = _tables_of(node.args[0], bound, schemas)  # delete(X), sa.delete(X)
                if tables & {"records", UNKNOWN}:
                    found.append(f"{where}:{node.lineno}")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if RAW_SQL.search(node.value):
                    found.append(f"{where}:{node.lineno}")
            elif isinstance(node, ast.JoinedStr):
                text = "".join(str(part.value) if isinstance(part, ast.Constant) else "\x00" for part in node.values)
                if RAW_SQL.search(text):
                    found.append(f"{where}:{node.lineno}")

    scan(tree, _bindings(_own_nodes(tree), _imported_tables(tree), schemas))
    return sorted(set(found), key=lambda hit: int(hit.rsplit(":", 1)[1]))


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
        "from sqlalchemy import delete\nfrom .schema import records as r\ndef f(conn):\n    conn.execute(delete(r))\n": 1,
        "import sqlalchemy as sa\ndef f(conn):\n    t = sa.table('records', sa.column('id'))\n    conn.execute(t.delete())\n": 1,
        "import sqlalchemy as sa\ndef f(conn):\n    conn.execute(sa.text('DELETE FROM records WHERE id = 3'))\n": 1,
        "def f(conn):\n    conn.exec_driver_sql('truncate table \"records\"')\n": 1,
        "def f(conn):\n    conn.exec_driver_sql('DELETE FROM main.records')\n": 1,
        # rrev28a: a table the check cannot name counts, it may be records
        "from .schema import metadata\ndef f(conn):\n    for t in metadata.sorted_tables:\n        conn.execute(t.delete())\n": 1,
        "from . import schema as s\ndef f(conn):\n    conn.execute(s.records.delete())\n": 1,
        "import sqlalchemy as sa\ndef f(conn, table):\n    conn.execute(sa.delete(table))\n": 1,
        "import sqlalchemy as sa\nfrom . import schema\ndef f(conn):\n    conn.execute(sa.delete(schema.metadata.tables['records']))\n": 1,
        "def f(conn, name):\n    conn.exec_driver_sql(f'DELETE FROM {name}')\n": 1,
        "from sqlalchemy import delete as remove\nfrom .schema import records\ndef f(conn):\n    conn.execute(remove(records))\n": 1,
        "from . import schema\nt = schema.search_runs\ndef f(conn, t):\n    conn.execute(t.delete())\n": 1,
        # look-alikes: another table, another word, text about SQL, an HTTP client's delete
        "from . import schema\ndef f(conn):\n    t = schema.search_runs\n    conn.execute(t.delete())\n": 0,
        "from .schema import reviewer_sessions\ndef f(conn):\n    conn.execute(reviewer_sessions.delete())\n": 0,
        "from . import schema\nt = schema.search_runs\ndef f(conn):\n    conn.execute(t.delete())\n": 0,
        "import sqlalchemy as sa\ndef f(conn):\n    conn.execute(sa.text('DELETE FROM records_seen'))\n": 0,
        "def f(conn):\n    '''Nothing here runs DELETE FROM records.'''\n": 0,
        "import httpx\ndef f(url):\n    httpx.delete(url)\n": 0,
    }
    assert {source: len(records_deletions(source, "x.py")) for source in ways} == ways
