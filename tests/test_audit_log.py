"""The audit log page: newest first, a page at a time, filters kept from page to page."""

from __future__ import annotations

import html
import re

from stockpile import audit
from stockpile.audit import views as audit_views


def test_the_audit_log_pages_back_with_its_filter(as_role, db, monkeypatch) -> None:
    monkeypatch.setattr(audit_views, "PAGE", 2)
    for n in range(5):
        audit.record(None, "paging.test", number=n)
    audit.record(None, "other.action")
    db.flush()
    admin, seen, path = as_role("admin"), [], "/admin/audit?action=paging."
    while path:
        text = admin.get(path).text
        ids = [int(n) for n in re.findall(r"number=(\d+)", text)]
        assert 0 < len(ids) <= 2
        seen += ids
        assert "other.action" not in text
        older = re.search(r'href="([^"]*before=\d+[^"]*)"', text)
        path = html.unescape(older.group(1)) if older else None
    assert seen == [4, 3, 2, 1, 0]
    assert "Newest events" in text
