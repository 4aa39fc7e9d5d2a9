"""E-mail leaves through the outbox after the commit, through a real SMTP server; a server that is down delays it,
and it is sent when the server is back. A daily digest gathers what a user chose to get that way."""

from __future__ import annotations

import datetime as dt

from stockpile.alerts import mail
from stockpile.alerts.models import AlertKind, EmailMode, MailStatus, Notification, OutboxMail
from stockpile.alerts.services import set_preferences
from stockpile.db import utcnow
from stockpile.ops.scheduler import drain_outbox_job, mail_digest_job
from stockpile.requests import services as request_services
from tests import factories
from tests.alerts.test_request_notifications import approved_request
from tests.inventory.helpers import receive
from tests.requests.helpers import submitted


def outbox(db):
    return db.query(OutboxMail).order_by(OutboxMail.id).all()


def test_an_approval_mails_the_region_only_when_the_outbox_is_drained(db, users, smtp) -> None:
    smtp.start()
    request = approved_request(users)
    [queued] = outbox(db)
    assert (queued.to_address, queued.status) == (users["region"].email, MailStatus.PENDING)
    assert smtp.inbox.messages == []  # nothing leaves inside the transaction that approved
    assert drain_outbox_job() == "1 mails sent, 0 attempts failed, 0 given up"
    [message] = smtp.inbox.to(users["region"].email)
    # A user without a language of their own gets Dutch (MAIL_DEFAULT_LOCALE), with an absolute link.
    assert message["Subject"] == f"Stockpile: Aanvraag {request.number} is nu goedgekeurd."
    assert f"https://stockpile.example.nl/requests/{request.id}" in message.get_content()
    db.refresh(queued)
    assert (queued.status, queued.attempts) == (MailStatus.SENT, 1)
    assert drain_outbox_job() == "0 mails sent, 0 attempts failed, 0 given up"


def test_a_user_who_chose_english_gets_english(db, users, smtp) -> None:
    smtp.start()
    users["region"].locale = "en"
    db.flush()
    request = approved_request(users)
    drain_outbox_job()
    [message] = smtp.inbox.to(users["region"].email)
    assert message["Subject"] == f"Stockpile: Request {request.number} is now approved."


def test_a_server_that_is_down_delays_the_mail_which_goes_when_it_is_back(db, users, smtp) -> None:
    approved_request(users)  # the server is not started: connections are refused
    assert drain_outbox_job() == "0 mails sent, 1 attempts failed, 0 given up"
    [queued] = outbox(db)
    db.refresh(queued)
    assert (queued.status, queued.attempts) == (MailStatus.PENDING, 1)
    assert "ConnectionRefusedError" in queued.last_error
    assert queued.next_attempt_at > utcnow()  # a pause before the next try
    smtp.start()
    assert drain_outbox_job() == "0 mails sent, 0 attempts failed, 0 given up"  # still pausing
    assert str(mail.drain_outbox(now=utcnow() + dt.timedelta(minutes=2))) == (
        "1 mails sent, 0 attempts failed, 0 given up")
    assert len(smtp.inbox.to(users["region"].email)) == 1
    db.refresh(queued)
    assert (queued.status, queued.attempts, queued.last_error) == (MailStatus.SENT, 2, "")


def test_a_mail_is_given_up_after_the_last_attempt(db, users, smtp, app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "MAIL_MAX_ATTEMPTS", 2)
    approved_request(users)
    later = utcnow()
    for _attempt in range(2):
        later += dt.timedelta(hours=2)
        mail.drain_outbox(now=later)
    [queued] = outbox(db)
    db.refresh(queued)
    assert (queued.status, queued.attempts) == (MailStatus.FAILED, 2)


def test_a_rolled_back_change_mails_nobody(db, users, smtp) -> None:
    smtp.start()
    item, warehouse = factories.item(), factories.warehouse()
    receive(item, warehouse, 100)
    request = submitted(users["region"], factories.process(), [(item, 50)])
    before = len(outbox(db))
    # The approval's transaction fails after the move was made: its notification and e-mail go with it.
    savepoint = db.begin_nested()
    request_services.approve(request, users["continuity"], {request.lines[0].id: (50, "")})
    assert len(outbox(db)) == before + 1
    savepoint.rollback()
    assert len(outbox(db)) == before
    assert db.query(Notification).filter_by(user_id=users["region"].id).count() == 0
    drain_outbox_job()
    assert smtp.inbox.messages == []


def test_nothing_is_queued_without_a_mail_server(db, users) -> None:
    approved_request(users)
    assert outbox(db) == []
    assert drain_outbox_job() == "0 mails sent, 0 attempts failed, 0 given up"


def test_a_daily_digest_gathers_the_days_alerts_in_one_mail(db, users, smtp) -> None:
    smtp.start()
    colleague = factories.user(users["region"].role, region_code="VR09")
    set_preferences(colleague, [{"kind": AlertKind.REQUEST, "enabled": True, "email": EmailMode.DAILY}])
    approved_request(users)  # the colleague hears of "submitted" and "approved"
    assert [m.to_address for m in outbox(db)] == [users["region"].email]  # the submitter: at once
    assert mail_digest_job() == "1 digests queued"
    assert mail_digest_job() == "0 digests queued"
    drain_outbox_job()
    [digest] = smtp.inbox.to(colleague.email)
    assert digest["Subject"] == "Stockpile: 2 meldingen vandaag"
    body = digest.get_content()
    assert "is nu ingediend." in body
    assert "is nu goedgekeurd." in body
