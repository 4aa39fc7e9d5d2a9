"""The database: declarative base, engine, the session per app context and the transaction boundary."""

from __future__ import annotations

import datetime as dt
import enum
import json
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from typing import cast as typed_as
from zoneinfo import ZoneInfo

from flask import Flask, Response, current_app, g, has_request_context, request
from sqlalchemy import (
    DateTime,
    Engine,
    MetaData,
    Table,
    bindparam,
    cast,
    create_engine,
    event,
    func,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import Insert as PgInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import NullType, TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base of every table; constraint names are stable so migrations can refer to them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC that always comes back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are refused: store timezone-aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC."""
    return dt.datetime.now(dt.UTC)


def as_aware_utc(value: dt.datetime | str) -> dt.datetime:
    """A timestamp from an aggregate such as min(), which loses the column type: naive, or text on SQLite."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=dt.UTC)


LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


def local_today() -> dt.date:
    """Today's date in the Netherlands: expiry and needed-by dates are Dutch calendar days."""
    return dt.datetime.now(LOCAL_ZONE).date()


def make_engine(url: str, busy_timeout: float = 5, **options: Any) -> Engine:
    """An engine; SQLite gets WAL, foreign keys, and BEGIN IMMEDIATE for writing transactions so writers queue
    instead of overselling, while reading requests never wait for a writer."""
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, **options)
    engine = create_engine(url, connect_args={"timeout": busy_timeout}, **options)
    _make_sqlite_transactional(engine)
    return engine


# Requests that only read: their transactions begin DEFERRED on SQLite and never take the write lock.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _begin_statement() -> str:
    """BEGIN for a reading request, BEGIN IMMEDIATE for everything else (writing requests, commands, jobs)."""
    if has_request_context() and request.method in READING_METHODS:
        return "BEGIN"
    return "BEGIN IMMEDIATE"


def _make_sqlite_transactional(engine: Engine) -> None:
    """The pysqlite recipe from SQLAlchemy's docs, with BEGIN IMMEDIATE where a transaction may write.

    pysqlite's own transaction handling defers BEGIN and takes the write lock only at the first write; a reader
    that later writes can then fail or act on stale data. Taking the lock at BEGIN makes every writing transaction
    serializable on SQLite, which is what the stock guard relies on. A reading request (GET, HEAD) begins
    DEFERRED instead: in WAL mode it reads a snapshot while a writer works, so one long write (an import, a
    booking) no longer stalls every page. A writer that finds the lock taken waits the busy timeout
    (SQLITE_BUSY_TIMEOUT_SECONDS, well below gunicorn's 30 s) and then gets a clean 503 (stockpile.errors).
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(_begin_statement())


class Database:
    """The engine and session factory of one app; each app context gets its own session."""

    def init_app(self, app: Flask) -> None:
        """Bind to the app's database and close the session when its context ends."""
        engine = make_engine(app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT_SECONDS"])
        app.extensions["stockpile.engine"] = engine
        app.extensions["stockpile.sessionmaker"] = sessionmaker(bind=engine, expire_on_commit=False)
        app.teardown_request(_close_session)
        app.teardown_appcontext(_close_session)
        app.after_request(commit_or_rollback)


db = Database()


def session() -> Session:
    """The session of the current request (or, outside one, of the app context), opened on first use."""
    holder = _holder()
    sess: Session | None = holder.get(_KEY)
    if sess is None:
        sess = current_app.extensions["stockpile.sessionmaker"]()
        holder[_KEY] = sess
    return sess


_KEY = "stockpile.session"


def _holder() -> dict[str, Any]:
    # A request keeps its own session even when it runs inside a longer app context (CLI, tests).
    if has_request_context():
        return request.environ
    return g.__dict__


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["stockpile.engine"]  # type: ignore[no-any-return]


def _close_session(_exc: BaseException | None) -> None:
    sess: Session | None = _holder().pop(_KEY, None)
    if sess is not None:
        sess.close()


def exception_escaped() -> None:
    """Note that an exception left the view (or a before-request hook): the boundary rolls the request back."""
    if has_request_context():
        request.environ[_FAILED] = True


_FAILED = "stockpile.exception_escaped"


def commit_or_rollback(response: Response) -> Response:
    """The transaction boundary of a request: commit unless an exception escaped the view, whatever the status.

    A page that shows a refusal on its form answers 422 without an exception and is committed (so what it meant
    to keep, such as a failed sign-in, is kept); the refused service call itself ran in a savepoint that was
    rolled back (stockpile.web.forms.attempt). The one error handler calls exception_escaped().
    """
    sess: Session | None = _holder().get(_KEY)
    if sess is None:
        return response
    if request.environ.get(_FAILED):
        sess.rollback()
    else:
        sess.commit()
    return response


# SQLSTATEs of a transaction PostgreSQL chose to abort so that others could go on: a deadlock, a serialization failure.
RETRYABLE_STATES = {"40P01", "40001"}


def is_retryable(error: BaseException) -> bool:
    """A deadlock or serialization failure: the whole transaction may simply be run again."""
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) in RETRYABLE_STATES


def dispatch_retrying(dispatch: Callable[[], Any]) -> Any:
    """Run a request's view; when the database aborts its transaction for a deadlock or a serialization failure,
    roll back and run the view again, up to DATABASE_RETRIES times, before the error reaches the handler (503).

    The hooks before the view only read (sign-in, CSRF, input checks), and the rollback undoes everything the view
    wrote, so running the view again is running the transaction again. The body was read into memory already.
    """
    retries = int(current_app.config["DATABASE_RETRIES"])
    for attempt in range(retries + 1):
        try:
            return dispatch()
        except DBAPIError as error:
            if attempt == retries or not is_retryable(error):
                raise
            current_app.logger.info("retrying after %s (attempt %d)", error.orig.__class__.__name__, attempt + 1)
            session().rollback()
            time.sleep(random.uniform(0.005, 0.05) * (attempt + 1))  # jitter, not security
    raise AssertionError("unreachable")


def commit_before_long_work() -> None:
    """Commit what the request did so far, so that long work that needs no database holds no transaction open.

    For a page that reads a big upload before it writes (the receipts import): the sign-in check opened a
    transaction, and on SQLite a writing request's transaction holds the write lock that every booking waits for.
    The work after it begins a new transaction, which the boundary commits as usual.
    """
    session().commit()


@contextmanager
def transaction() -> Iterator[Session]:
    """One transaction for a command or job: commit on success, roll back on any error."""
    sess = session()
    try:
        yield sess
        sess.commit()
    except BaseException:
        sess.rollback()
        raise


def database_url() -> str:
    """The configured database URL of the current app."""
    return str(current_app.config["DATABASE_URL"])


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements on many rows (the ORM's bulk path costs more per row than the database)."""
    return typed_as(Table, model.__table__)


def unnest_insert(model: type[Base], rows: list[dict[str, Any]]) -> PgInsert:
    """PostgreSQL's fastest plain INSERT of many rows: one statement taking one array per column.

    INSERT ... SELECT * FROM unnest(:c0, :c1, ...) costs the server one execution instead of one per row (what an
    executemany does) and the driver no parsing of a thousand-row VALUES list. Every row has the same keys and
    gives every value (no column defaults apply). The caller may add on_conflict_do_update().
    """
    table = table_of(model)
    names = list(rows[0])
    arrays = [cast(bindparam(f"c{n}", [_plain(row[name]) for row in rows], type_=NullType()),
                   ARRAY(table.c[name].type)) for n, name in enumerate(names)]
    return pg_insert(table).from_select(names, select(literal_column("*")).select_from(func.unnest(*arrays)))


def _plain(value: Any) -> Any:
    """A value as the driver takes it inside an array: enums by their value, JSON as its text."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dict | list):
        return json.dumps(value)
    return value
