"""Named leases in the database, so a periodic job runs once however many scheduler processes fire it."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import String, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from stockpile.db import Base, UTCDateTime, session, utcnow


class Lease(Base):
    """Who holds a named lease, until when, and for which scheduled firing (its fire key)."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120))
    fire_key: Mapped[str] = mapped_column(String(64))
    acquired_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)


def acquire(name: str, fire_key: str, holder: str, ttl: dt.timedelta) -> bool:
    """Take the lease for one firing; False when another holder has it or this firing already ran.

    Both statements are single conditional writes, so two processes cannot both succeed: the INSERT meets
    the primary key, and the UPDATE re-checks its WHERE on the locked row. A firing already done keeps
    its fire key, so a late second scheduler skips it even after the first released the lease.
    """
    now = utcnow()
    values = {"name": name, "holder": holder, "fire_key": fire_key, "acquired_at": now, "expires_at": now + ttl}
    insert = pg_insert if session().get_bind().dialect.name == "postgresql" else sqlite_insert
    # RETURNING, not rowcount: an ORM-enabled INSERT through the session does not report a reliable rowcount.
    stmt = insert(Lease).values(**values).on_conflict_do_nothing(index_elements=["name"]).returning(Lease.name)
    if session().execute(stmt).first() is not None:
        return True
    taken = session().execute(
        update(Lease)
        .where(Lease.name == name, Lease.fire_key != fire_key, Lease.expires_at < now)
        .values(holder=holder, fire_key=fire_key, acquired_at=now, expires_at=now + ttl)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def release(name: str, holder: str) -> None:
    """End the lease now (its fire key stays, so the same firing never runs again)."""
    session().execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder).values(expires_at=utcnow())
        .execution_options(synchronize_session=False)
    )
