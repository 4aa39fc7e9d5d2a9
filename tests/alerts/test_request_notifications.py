"""A region hears of its requests' moves in the app: the list, the unread count in the header, marking read."""

from __future__ import annotations

from stockpile.alerts.models import AlertKind, Notification
from stockpile.alerts.services import preference_rows
from stockpile.requests import services as request_services
from tests import factories
from tests.conftest import sign_in
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


def approved_request(users):
    item, warehouse = factories.item(code="FFP2-T"), factories.warehouse()
    receive(item, warehouse, 500)
    request = submitted(users["region"], factories.process(code="POLICE"), [(item, 120)])
    line = request.lines[0]
    request_services.approve(request, users["continuity"], {line.id: (120, "")})
    return request


def notices(db, user):
    return db.query(Notification).filter_by(user_id=user.id).order_by(Notification.id).all()


def test_the_region_hears_its_request_was_approved_and_the_submitter_not_of_its_own_submission(db, users) -> None:
    colleague = factories.user(users["region"].role, region_code="VR09")
    request = approved_request(users)
    own = notices(db, users["region"])
    assert [(n.kind, n.params["new"]) for n in own] == [(AlertKind.REQUEST, "approved")]  # not "submitted"
    assert own[0].link == f"/requests/{request.id}"
    assert [n.params["new"] for n in notices(db, colleague)] == ["submitted", "approved"]


def test_another_region_and_the_reviewer_hear_nothing(db, users) -> None:
    approved_request(users)
    assert notices(db, users["other_region"]) == []
    assert notices(db, users["continuity"]) == []


def test_the_header_counts_unread_and_the_list_reads_in_dutch(db, users, as_role) -> None:
    request = approved_request(users)
    users["region"].locale = "nl"
    db.flush()
    page = as_role("region").get("/notifications")
    assert page.status_code == 200
    assert f"Aanvraag {request.number} is nu goedgekeurd." in page.text
    assert 'class="count">1</span>' in page.text
    assert 'aria-label="Meldingen: 1 ongelezen"' in page.text


def test_opening_a_notification_marks_it_read_and_leads_to_the_request(db, users, as_role) -> None:
    request = approved_request(users)
    notice = notices(db, users["region"])[0]
    client = as_role("region")
    opened = client.get(f"/notifications/{notice.id}")
    assert opened.status_code == 302
    assert opened.headers["Location"] == f"/requests/{request.id}"
    db.refresh(notice)
    assert notice.read_at is not None
    assert 'class="count"' not in client.get("/requests").text


def test_the_api_lists_counts_and_marks_read(db, users, client, api_as) -> None:
    request = approved_request(users)
    headers = api_as("region")
    assert client.get("/api/v1/notifications/unread-count", headers=headers).json == {"unread": 1}
    listed = client.get("/api/v1/notifications?unread=true", headers=headers)
    assert listed.status_code == 200
    [notice] = listed.json
    assert notice["kind"] == "request"
    assert notice["subject"] == f"request:{request.id}"
    assert notice["title"] == f"Request {request.number} is now approved."
    assert notice["link"] == f"/requests/{request.id}"
    marked = client.post(f"/api/v1/notifications/{notice['id']}/read", headers=headers)
    assert marked.status_code == 200
    assert marked.json["read_at"] is not None
    assert client.get("/api/v1/notifications/unread-count", headers=headers).json == {"unread": 0}
    assert client.get("/api/v1/notifications?unread=true", headers=headers).json == []
    assert len(client.get("/api/v1/notifications", headers=headers).json) == 1


def test_mark_all_read(db, users, client, api_as, as_role) -> None:
    colleague = factories.user(users["region"].role, region_code="VR09")
    approved_request(users)
    page = sign_in(client, colleague).post("/notifications/read-all", follow_redirects=True)
    assert "2 notifications marked read." in page.text
    assert all(n.read_at is not None for n in notices(db, colleague))


def test_a_region_cannot_see_or_mark_another_regions_notification(db, users, client, api_as, as_role) -> None:
    approved_request(users)
    notice = notices(db, users["region"])[0]
    other = api_as("other_region")
    assert client.post(f"/api/v1/notifications/{notice.id}/read", headers=other).status_code == 404
    assert client.get("/api/v1/notifications", headers=other).json == []
    assert as_role("other_region").get(f"/notifications/{notice.id}").status_code == 404
    assert as_role("other_region").post(f"/notifications/{notice.id}/read").status_code == 404
    assert "FFP2-T" not in as_role("other_region").get("/notifications").text
    db.refresh(notice)
    assert notice.read_at is None


def test_a_user_who_turned_request_alerts_off_gets_none(db, users, client, api_as) -> None:
    headers = api_as("region")
    put = client.put("/api/v1/notifications/preferences", headers=headers,
                     json={"preferences": [{"kind": "request", "enabled": False, "email": "off"}]})
    assert put.status_code == 200
    assert {p["kind"]: (p["enabled"], p["email"]) for p in put.json} == {
        "request": (False, "off"), "flag": (True, "immediate"), "run_failed": (True, "immediate"),
        "delivery_overdue": (True, "immediate")}
    approved_request(users)
    assert notices(db, users["region"]) == []


def test_preferences_refuse_a_kind_named_twice_and_an_unknown_mode(db, users, client, api_as) -> None:
    headers = api_as("region")
    twice = client.put("/api/v1/notifications/preferences", headers=headers, json={"preferences": [
        {"kind": "flag", "enabled": True, "email": "off"}, {"kind": "flag", "enabled": False, "email": "off"}]})
    assert twice.status_code == 422
    assert twice.json["errors"] == {"1.kind": ["Each kind of alert may be named once."]}
    unknown = client.put("/api/v1/notifications/preferences", headers=headers,
                         json={"preferences": [{"kind": "flag", "enabled": True, "email": "hourly"}]})
    assert unknown.status_code == 422
    stored = client.get("/api/v1/notifications/preferences", headers=headers).json
    assert all(p["email"] == "immediate" for p in stored)  # nothing half-written


def test_the_preferences_page_saves_and_refuses(db, users, as_role) -> None:
    client = as_role("logistics")
    page = client.get("/notifications/preferences")
    assert page.status_code == 200
    form = {"request-email": "off", "flag-enabled": "on", "flag-email": "daily",
            "run_failed-email": "off", "delivery_overdue-enabled": "on", "delivery_overdue-email": "immediate"}
    saved = client.post("/notifications/preferences", data=form, follow_redirects=True)
    assert "Alert preferences saved." in saved.text
    assert [(k.value, on, mode.value) for k, on, mode in preference_rows(users["logistics"])] == [
        ("request", False, "off"), ("flag", True, "daily"), ("run_failed", False, "off"),
        ("delivery_overdue", True, "immediate")]
    refused = client.post("/notifications/preferences", data={**form, "flag-email": "weekly"})
    assert refused.status_code == 422
    assert "Choose no e-mail, e-mail at once or a daily digest." in refused.text


def test_a_failing_database_still_gets_its_503_page_with_the_header(db, users, as_role, app, monkeypatch) -> None:
    import psycopg
    from sqlalchemy import exc as sa_exc

    from stockpile.alerts import services

    def lost(_user):
        raise sa_exc.OperationalError("SELECT", {}, psycopg.OperationalError("server closed the connection"))

    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    monkeypatch.setattr(services, "unread_count", lost)  # the list and the header's count both ask for it
    page = as_role("region").get("/notifications")
    assert page.status_code == 503
    assert "database is unavailable" in page.text
