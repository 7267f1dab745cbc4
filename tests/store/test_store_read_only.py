"""What a store that cannot be written is called (``StoreReadOnly``); the command-line lines, run where file
permissions bind, are in tests/test_cli_conventions.py."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

import pytest
from bound_permissions import run_where_permissions_bind

from review.records import Record


def test_a_store_whose_folder_is_gone_is_not_called_read_only(tmp_path: Path) -> None:
    """SQLite says "unable to open database file" for a folder moved away too: that is no read-only folder (the
    store's lost-file check names it), so the read-only line stays out of it."""
    from review.store.opening import _read_only_place

    assert _read_only_place(tmp_path / "moved" / "review.db") is None
    assert _read_only_place(tmp_path / "review.db") is None  # a writable folder, no file yet


#: Run where file permissions bind, in a workspace folder read-only to it (``sys.argv[1]``, its review.db holding
#: one decision, no -wal beside it): opens the store read-only and prints what it reads as one JSON line, after
#: the folder's owner (this process, once it made the folder writable again) wrote to it.
_OWNER_WRITES_MEANWHILE = """
import json, os, stat, sys
from pathlib import Path

import sqlalchemy as sa
from review.errors import ReviewError
from review.records import Record
from review.store.core import Store

root = Path(sys.argv[1])
url = f"sqlite:///{root / 'review.db'}"
reader = Store.open(url, create=False)
seen = {"first": len(reader.decisions(reviewer=None))}
try:
    reader.add_decision(1, "bob", "exclude")
except ReviewError as err:
    seen["write"] = type(err).__name__
root.chmod(stat.S_IRWXU)  # the owner, from a folder it may write
owner = Store.open(url, create=False)
owner.add_decision(2, "bob", "include")
owner.engine.dispose()  # closed: the change checkpointed into review.db, the -wal gone
seen["after_close"] = len(reader.decisions(reviewer=None))
owner = Store.open(url, create=False)
owner.add_decision(3, "bob", "include")  # open: the change only in its -wal
seen["while_open"] = len(reader.decisions(reviewer=None))
reader.engine.dispose()
owner.engine.dispose()  # the last to close: no -wal left, the next reader is immutable=1 again
seen["left"] = sorted(p.name for p in root.iterdir())
root.chmod(stat.S_IRUSR | stat.S_IXUSR)
# A read torn by a writer: the file changes under a connection already reading it (here its pages after the first
# overwritten, as a checkpoint midway could leave them to a reader that takes no lock).
reader = Store.open(url, create=False)
with reader.engine.connect() as conn:
    conn.execute(sa.text("SELECT count(*) FROM schema_info")).one()
    db = root / "review.db"
    db.chmod(stat.S_IRUSR | stat.S_IWUSR)
    data = bytearray(db.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    data[page:] = bytes(len(data) - page)
    with open(db, "r+b") as handle:
        handle.write(data)
    try:
        conn.execute(sa.text("SELECT count(*) FROM records")).one()
        seen["torn"] = "read"
    except ReviewError as err:
        seen["torn"] = [type(err).__name__, err.exit_code, str(err)]
print(json.dumps(seen))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="needs POSIX permissions")
def test_a_store_read_read_only_follows_what_its_owner_writes_and_a_torn_read_is_one_line(tmp_path: Path) -> None:
    """A store opened read-only with no -wal beside it was read ``immutable=1`` by every connection for good: an open
    TUI showed a colleague's store as it was when it opened (1 decision after the owner had written 2,000) and,
    once the owner had it open, missed what was in its -wal. Now each connection is chosen as it opens, and one
    whose file changed is replaced. A read torn by a writer was a traceback ("database disk image is
    malformed"); now one line saying to run it again."""
    from review.store.core import Store

    root = tmp_path / "ws"
    root.mkdir()
    store = Store.open(f"sqlite:///{root / 'review.db'}")
    store.add_batch([Record(title=f"t{i}") for i in range(3)], file_name="f", file_sha256="0" * 64,
                    source_name="s", format="csv", encoding="utf-8")
    store.add_decision(1, "alice", "include")
    store.engine.dispose()
    assert sorted(p.name for p in root.iterdir()) == ["review.db"]
    script = tmp_path / "owner_writes_meanwhile.py"
    script.write_text(_OWNER_WRITES_MEANWHILE, encoding="utf-8")
    root.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        done = run_where_permissions_bind(script, [str(root)], tmp_path)
    finally:
        root.chmod(stat.S_IRWXU)
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["first"] == 1 and seen["write"] == "StoreReadOnly", seen
    assert seen["after_close"] == 2 and seen["while_open"] == 3 and seen["left"] == ["review.db"], seen
    assert seen["torn"] == ["StoreBusy", 7, f"the store {root.resolve() / 'review.db'} was written by another "
                            "process while this one read it read-only (the read found it half-changed); nothing was "
                            "written — run the command again"], seen
