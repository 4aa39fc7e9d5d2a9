"""`stockpile seed-demo` fills a database once and adds nothing on a second run."""

from __future__ import annotations

from sqlalchemy import func, select

from stockpile.auth.models import Role, User
from stockpile.reference.models import EssentialProcess, Item, Warehouse


def test_seed_demo_is_safe_to_run_twice(runner, db) -> None:
    first = runner.invoke(args=["seed-demo"])
    assert first.exit_code == 0, first.output
    counts = [db.scalar(select(func.count()).select_from(m)) for m in (Item, Warehouse, EssentialProcess, User)]
    second = runner.invoke(args=["seed-demo"])
    assert second.exit_code == 0, second.output
    assert "0 records created" in second.output
    assert [db.scalar(select(func.count()).select_from(m)) for m in (Item, Warehouse, EssentialProcess, User)] == counts
    assert counts[0] >= 20
    assert counts[1] >= 4
    tiers = db.scalars(select(EssentialProcess.priority_tier).distinct()).all()
    assert len(tiers) == 3
    roles = set(db.scalars(select(User.role)).all())
    assert roles == set(Role)
    assert "region@stockpile.example" in first.output
