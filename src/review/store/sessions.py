"""One live session per reviewer: a lock row with host, PID and heartbeat.

Two processes screening as the same reviewer would be served the same queue and decide
records twice. The first session claims the reviewer's row; a second one is refused with
the holder's host and PID. A row whose heartbeat is older than ``STALE_AFTER`` seconds (or
whose process is gone, on this host) is stale and taken over. Decisions made with a claim
check it inside their own transaction, so a session whose claim was taken over writes
nothing. Plain SQLAlchemy Core: the same rows work on PostgreSQL.
"""

from __future__ import annotations

import os
import socket
import threading
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from ..errors import ReviewError, WorkspaceError
from .schema import UtcDateTime, metadata

__all__ = [
    "HEARTBEAT_EVERY", "ReviewerNameRefused", "SEARCH_HOLD", "STALE_AFTER", "SessionBusy", "SessionClaim", "SessionHolder", "check_claim",
    "check_reviewer_name", "claim_search", "holds_decisions", "legacy_name_problem", "legacy_name_warning", "claim_session", "heartbeat", "live_holder", "live_sessions", "release_session", "reviewer_sessions",
]

#: Seconds between heartbeats of a live session.
HEARTBEAT_EVERY = 10.0
#: A session not heard from for this long is taken to be gone (crashed, killed, laptop asleep).
STALE_AFTER = 45.0
#: Rows keyed ``search:NAME`` hold query NAME for the ``review search`` running it (one at a time);
#: reviewer names may not hold ':', so no reviewer's window shares a search's row.
SEARCH_HOLD = "search:"

reviewer_sessions = sa.Table(
    "reviewer_sessions", metadata,
    sa.Column("reviewer", sa.Text, primary_key=True),
    sa.Column("token", sa.Text, nullable=False),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("started_at", UtcDateTime(), nullable=False),
    sa.Column("heartbeat_at", UtcDateTime(), nullable=False),
)


@dataclass(frozen=True, slots=True)
class SessionHolder:
    """Who holds a reviewer's session: enough to find and close it."""

    reviewer: str
    host: str
    pid: int
    started_at: datetime
    heartbeat_at: datetime

    def describe(self, now: datetime | None = None) -> str:
        age = ((now or _now()) - self.heartbeat_at).total_seconds()
        return f"host {self.host}, PID {self.pid}, last seen {max(0, round(age))} s ago"

    @property
    def is_search(self) -> bool:
        """A ``review search`` holding its query (not a reviewer's window)."""
        return self.reviewer.startswith(SEARCH_HOLD)

    def describe_use(self, now: datetime | None = None) -> str:
        """What holds the row, and where: a reviewer's window or a search of one query."""
        what = (f"review search of query {self.reviewer[len(SEARCH_HOLD):]!r}" if self.is_search
                else f"reviewer {self.reviewer!r}'s window")
        return f"{what} ({self.describe(now)})"


@dataclass(frozen=True, slots=True)
class SessionClaim:
    """This process's hold on a reviewer's session; pass its token with each decision."""

    reviewer: str
    token: str
    host: str
    pid: int


class SessionBusy(ReviewError):
    """The reviewer is screening in another live session."""

    title = "Session"
    exit_code = 6

    def __init__(self, message: str, holder: SessionHolder | None = None) -> None:
        super().__init__(message)
        self.holder = holder


class ReviewerNameRefused(WorkspaceError):
    """A reviewer name :func:`check_reviewer_name` refuses: ``where`` it came from, then ``what`` is wrong with it
    (``'x:y': a reviewer name may not hold ':' …``), apart for a shell that names review.toml's key and line."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where} {what}", title="Reviewer")
        self.what = what


def check_reviewer_name(reviewer: str, where: str = "reviewer", *, store: object | None = None) -> str:
    """``reviewer`` unless it is blank, holds ':' (kept for the ``search:NAME`` rows of review search), or
    holds a control character, a line separator, ';' or '=' (they break the tab-separated lines and cells);
    ``where`` names the option or field it came from. Exit status 2, as every bad name typed on the command
    line or held in review.toml (``screening.agreement.check_not_consensus`` refuses ``consensus`` so too).
    The last rule is from 2026-12-06: a name it breaks that already holds decisions in ``store`` is let
    through (renaming would orphan its decisions; the caller warns with ``legacy_name_warning``)."""
    if not reviewer.strip():  # ("-r ''" fell back to review.toml's first name, unsaid)
        raise WorkspaceError(f"{where.rstrip(':')}: a reviewer needs a name", title="Reviewer")
    if ":" in reviewer:
        raise ReviewerNameRefused(where, f"{reviewer!r}: a reviewer name may not hold ':' (kept for the holds of "
                                  "review search); choose a name without it")
    shown = _breaking_character(reviewer)
    if shown is not None and not (store is not None and holds_decisions(store, reviewer)):
        raise ReviewerNameRefused(where, f"{reviewer!r}: a reviewer name may not hold {shown} (a name is one cell of "
                                  "the tab-separated lines and of conflicts.csv's name=label;… cells); choose a name "
                                  "without it")
    return reviewer


def legacy_name_warning(reviewer: str, where: str = "reviewer") -> str | None:
    """The one-line warning for a name that breaks a cell (``_breaking_character``) but is used because it
    already holds decisions (``check_reviewer_name`` with the store); None for a name that breaks none."""
    what = legacy_name_problem(reviewer)
    return None if what is None else f"warning: {where} {what}"


def legacy_name_problem(reviewer: str) -> str | None:
    """What :func:`legacy_name_warning` says of ``reviewer``, without where the name came from; None when it is fine."""
    shown = _breaking_character(reviewer)
    if shown is None:
        return None
    return (f"{reviewer!r} holds {shown}, refused for a new reviewer since 2026-12-06 (it splits the tab-separated "
            "lines and conflicts.csv's name=label;… cells); used because it already holds decisions in this workspace "
            "(renaming would orphan them)")


def holds_decisions(store: object, reviewer: str) -> bool:
    """Whether ``reviewer`` has any screening decision in ``store`` (any stage, undone ones included)."""
    from .schema import screening_decisions as t

    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        return conn.execute(sa.select(t.c.id).where(t.c.reviewer == reviewer).limit(1)).first() is not None


def _breaking_character(reviewer: str) -> str | None:
    """The first character of ``reviewer`` that breaks a cell, shown quoted (';') or by code point (U+0009).
    A name is a cell of tab-separated lines (decide, conflicts) and of conflicts.csv's 'name=label;…' cells:
    a tab or line break would split a row, a ';' or '=' would make a cell read two ways."""
    breaking = next((c for c in reviewer if unicodedata.category(c) in _BREAKING_CATEGORIES or c in ";="), None)
    if breaking is None:
        return None
    return repr(breaking) if breaking in ";=" else f"U+{ord(breaking):04X}"


#: Control characters (tab, line breaks) and the line and paragraph separators that ``str.splitlines`` splits at.
_BREAKING_CATEGORIES = frozenset(("Cc", "Zl", "Zp"))


def claim_search(store: object, query: str, **kwargs: object) -> SessionClaim:
    """Hold query ``query`` for this ``review search`` (``SessionBusy`` while another live one runs it)."""
    return _claim(store, f"{SEARCH_HOLD}{query}", **kwargs)  # type: ignore[arg-type]


def claim_session(store: object, reviewer: str, *, host: str | None = None, pid: int | None = None,
                  stale_after: float = STALE_AFTER, now: datetime | None = None) -> SessionClaim:
    """Claim ``reviewer``'s session, taking over a stale one; raises ``SessionBusy`` if it is live."""
    check_reviewer_name(reviewer, store=store)
    return _claim(store, reviewer, host=host, pid=pid, stale_after=stale_after, now=now)


def _claim(store: object, reviewer: str, *, host: str | None = None, pid: int | None = None,
           stale_after: float = STALE_AFTER, now: datetime | None = None) -> SessionClaim:
    claim = SessionClaim(reviewer, uuid.uuid4().hex, host or socket.gethostname(), pid or os.getpid())
    moment = now or _now()
    with store.locked_transaction() as conn:  # type: ignore[attr-defined]
        lock_reviewer = getattr(store, "_lock_reviewer", None)
        if lock_reviewer is not None:  # the lock each decision's claim check runs under
            lock_reviewer(conn, reviewer)
        holder = _holder(conn, reviewer)
        if holder is not None and not _is_stale(holder, moment, stale_after):
            raise SessionBusy(_busy_message(reviewer, holder, moment), holder)
        conn.execute(reviewer_sessions.delete().where(reviewer_sessions.c.reviewer == reviewer))
        conn.execute(reviewer_sessions.insert().values(
            reviewer=reviewer, token=claim.token, host=claim.host, pid=claim.pid,
            started_at=moment, heartbeat_at=moment))
    hold_claim(store, reviewer, claim.token)
    return claim


def live_holder(store: object, reviewer: str, *, stale_after: float = STALE_AFTER,
                now: datetime | None = None) -> SessionHolder | None:
    """The live session holding ``reviewer`` (None when free or stale)."""
    with store.engine.connect() as conn:  # type: ignore[attr-defined]
        holder = _holder(conn, reviewer)
    if holder is None or _is_stale(holder, now or _now(), stale_after):
        return None
    return holder


def live_sessions(conn: sa.Connection, *, stale_after: float = STALE_AFTER,
                  now: datetime | None = None) -> list[SessionHolder]:
    """Every reviewer's live session (stale ones left out), by reviewer name."""
    names = conn.execute(sa.select(reviewer_sessions.c.reviewer).order_by(reviewer_sessions.c.reviewer)).scalars()
    holders = [_holder(conn, name) for name in list(names)]
    moment = now or _now()
    return [h for h in holders if h is not None and not _is_stale(h, moment, stale_after)]


def heartbeat(store: object, claim: SessionClaim, *, now: datetime | None = None) -> bool:
    """Tell others this session is alive; False when the claim was taken over meanwhile."""
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        updated = conn.execute(
            reviewer_sessions.update()
            .where(reviewer_sessions.c.reviewer == claim.reviewer, reviewer_sessions.c.token == claim.token)
            .values(heartbeat_at=now or _now())
        ).rowcount
    if not updated:  # (taken over: no longer this process's to beat for)
        drop_claim(store, claim.reviewer, claim.token)
    return bool(updated)


#: The session claims this process holds (a reviewer's window, a search's query), by store URL, then row key ->
#: token: what a long write of the process beats for (``store.core``'s commit hook reads ``held_claims``).
_HELD_CLAIMS: dict[str, dict[str, str]] = {}
_HELD_CLAIMS_LOCK = threading.Lock()


def _claims_key(engine: sa.Engine) -> str:
    # (every Store object of this process on one database shares its claims: a worker may open its own)
    return engine.url.render_as_string(hide_password=False)


def hold_claim(store: object, key: str, token: str) -> None:
    """This process holds session row ``key`` of ``store`` with ``token`` (claimed): its long writes beat for it."""
    with _HELD_CLAIMS_LOCK:
        _HELD_CLAIMS.setdefault(_claims_key(store.engine), {})[key] = token  # type: ignore[attr-defined]


def drop_claim(store: object, key: str, token: str) -> None:
    """This process no longer holds session row ``key`` with ``token`` (released, or taken over)."""
    with _HELD_CLAIMS_LOCK:
        held = _HELD_CLAIMS.get(_claims_key(store.engine), {})  # type: ignore[attr-defined]
        if held.get(key) == token:
            del held[key]


def held_claims(engine: sa.Engine) -> dict[str, str]:
    """A copy of the claims this process holds on the database of ``engine``."""
    with _HELD_CLAIMS_LOCK:
        return dict(_HELD_CLAIMS.get(_claims_key(engine), {}))


def carry_over_lock(conn: sa.Connection, held: dict[str, str], locked_for: float) -> None:
    """Inside a long write's commit (SQLite: one write lock for the whole store), before the lock comes free: the rows
    this process holds (``held``: row key -> token) beat now, and every other session live when the write began gets
    its heartbeat moved on by the write's length (``locked_for`` seconds, never past now). Their beats waited for this
    lock and gave up after the busy timeout, so the time it was held is no silence of theirs: without this a write
    past ``STALE_AFTER`` (a shell's import of 300,000 records held it 55 s) left every window stale as it committed,
    for any claimant waiting on the lock to take over. A row already stale when the write began stays stale."""
    moment = _now()
    locked_from = moment - timedelta(seconds=locked_for)
    t = reviewer_sessions
    for key, token, beat in conn.execute(sa.select(t.c.reviewer, t.c.token, t.c.heartbeat_at)).all():
        if held.get(key) == token:
            moved = moment
        elif locked_from - beat <= timedelta(seconds=STALE_AFTER):
            moved = min(beat + timedelta(seconds=locked_for), moment)
        else:
            continue
        conn.execute(t.update().where(t.c.reviewer == key, t.c.token == token).values(heartbeat_at=moved))


def release_session(store: object, claim: SessionClaim) -> None:
    """End the session (only if this claim still holds it)."""
    drop_claim(store, claim.reviewer, claim.token)
    with store.engine.begin() as conn:  # type: ignore[attr-defined]
        conn.execute(reviewer_sessions.delete().where(
            reviewer_sessions.c.reviewer == claim.reviewer, reviewer_sessions.c.token == claim.token))


def check_claim(conn: sa.Connection, reviewer: str, token: str) -> None:
    """Raise ``SessionBusy`` unless ``token`` still holds ``reviewer`` (call inside the write)."""
    row = conn.execute(sa.select(reviewer_sessions.c.token).where(reviewer_sessions.c.reviewer == reviewer)).first()
    if row is None or row.token != token:
        holder = _holder(conn, reviewer)
        where = f" ({holder.describe()})" if holder is not None else ""
        raise SessionBusy(
            f"reviewer {reviewer!r}: this session was taken over by another one{where}; "
            "nothing was saved — close this window and continue in the other session", holder)


def _holder(conn: sa.Connection, reviewer: str) -> SessionHolder | None:
    row = conn.execute(sa.select(reviewer_sessions).where(reviewer_sessions.c.reviewer == reviewer)).first()
    if row is None:
        return None
    return SessionHolder(row.reviewer, row.host, int(row.pid), row.started_at, row.heartbeat_at)


def _is_stale(holder: SessionHolder, now: datetime, stale_after: float) -> bool:
    if now - holder.heartbeat_at > timedelta(seconds=stale_after):
        return True
    if holder.host == socket.gethostname() and not _pid_alive(holder.pid):
        return True
    return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    except OSError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """Whether ``pid`` has ended and waits for its parent to reap it (signal 0 still reaches it): a ``kill -9``'d
    command whose parent has not waited yet, or never will (a container's first process that reaps no orphans)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:  # Linux; elsewhere nothing to read, taken as running
            return stat.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except (OSError, IndexError):
        return False


def _busy_message(reviewer: str, holder: SessionHolder, now: datetime) -> str:
    return (f"reviewer {reviewer!r} is already screening in another session ({holder.describe(now)}); "
            f"close that one first, or screen under your own name (--reviewer)")


def _now() -> datetime:
    return datetime.now(timezone.utc)

