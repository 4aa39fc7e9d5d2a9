"""Dutch first: a complete catalogue, the language a user chose or the browser asks, formats of the locale."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from stockpile import catalogue, formats
from stockpile.auth.models import Role
from tests import factories
from tests.conftest import sign_in
from tests.inventory.helpers import receive

NL = {"Accept-Language": "nl-NL,nl;q=0.9,en;q=0.5"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def lang_of(page) -> str:
    return re.search(r'<html lang="([^"]+)"', page.text).group(1)


def test_every_text_has_a_dutch_translation_and_the_mo_is_compiled_from_the_po() -> None:
    assert catalogue.problems() == []


@pytest.fixture
def scratch_catalogue(tmp_path, monkeypatch):
    """A copy of the translations, so the checker can be shown a broken catalogue."""
    copy = tmp_path / "translations"
    shutil.copytree(catalogue.TRANSLATIONS, copy)
    monkeypatch.setattr(catalogue, "TRANSLATIONS", copy)
    return copy


def test_the_check_names_a_text_without_translation(scratch_catalogue) -> None:
    po = catalogue.po_path("nl")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Partijnummer"', 'msgstr ""'), encoding="utf-8")
    catalogue.compile_all()
    assert catalogue.problems() == ["nl: no translation for 'Lot number'"]


def test_the_check_names_a_text_the_catalogue_lacks_and_a_stale_mo(scratch_catalogue) -> None:
    po = catalogue.po_path("nl")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgid "Lot number"\nmsgstr "Partijnummer"\n', ""), encoding="utf-8")
    assert catalogue.problems() == ["nl: not in the catalogue: 'Lot number'",
                                    "nl: messages.mo is not the compilation of messages.po"]


def test_the_check_names_a_translation_that_loses_a_placeholder(scratch_catalogue) -> None:
    po = catalogue.po_path("nl")
    text = po.read_text(encoding="utf-8")
    po.write_text(text.replace('msgstr "Partij %(lot)s"', 'msgstr "Partij"'), encoding="utf-8")
    catalogue.compile_all()
    assert catalogue.problems() == ["nl: 'Lot %(lot)s': placeholders [] instead of ['lot']"]


@pytest.mark.parametrize(("accept", "lang", "heading"), [
    ("nl-NL,nl;q=0.9,en;q=0.5", "nl", "Inloggen"),
    ("nl-BE", "nl", "Inloggen"),
    ("en-US,en;q=0.9", "en", "Sign in"),
    ("de-DE,de;q=0.9", "en", "Sign in"),
    ("", "en", "Sign in"),
])
def test_the_browser_language_decides_until_someone_chooses(client, db, accept, lang, heading) -> None:
    page = client.get("/login", headers={"Accept-Language": accept} if accept else {})
    assert lang_of(page) == lang
    assert f"<h1>{heading}</h1>" in page.text


def test_a_choice_before_signing_in_holds_for_this_browser(client, db) -> None:
    response = client.post("/language", data={"locale": "nl", "next": "/login"}, headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    page = client.get("/login", headers=EN)
    assert lang_of(page) == "nl"
    assert "<h1>Inloggen</h1>" in page.text
    assert '<button type="submit" name="locale" value="en" lang="en">English</button>' in page.text


def test_a_signed_in_users_choice_is_kept_on_the_user_and_follows_them(app, db) -> None:
    user = factories.user(Role.LOGISTICS)
    first_browser = sign_in(app.test_client(), user)
    first_browser.post("/language", data={"locale": "nl", "next": "/inventory/stock"}, headers=EN)
    db.refresh(user)
    assert user.locale == "nl"
    other_browser = sign_in(app.test_client(), user)
    page = other_browser.get("/inventory/stock", headers=EN)
    assert lang_of(page) == "nl"
    assert "<h1>Voorraad per artikel</h1>" in page.text
    other_browser.post("/language", data={"locale": "en", "next": "/"}, headers=NL)
    db.refresh(user)
    assert user.locale == "en"
    assert lang_of(first_browser.get("/", headers=NL)) == "en"


def test_an_unknown_language_is_refused_and_changes_nothing(client, db) -> None:
    response = client.post("/language", data={"locale": "fr", "next": "/login"}, headers=NL)
    assert response.status_code == 422
    assert "Kies een van deze talen: en, nl." in response.text
    assert lang_of(client.get("/login", headers=EN)) == "en"


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "javascript:alert(1)"])
def test_the_switch_only_goes_back_to_a_local_page(client, db, target) -> None:
    response = client.post("/language", data={"locale": "nl", "next": target})
    assert response.headers["Location"] == "/"


# Written by hand from CLDR's Dutch and English conventions, not taken from the code.
FORMATS = [
    ("nl", formats.number, (11439,), "11.439"),
    ("en", formats.number, (11439,), "11,439"),
    ("nl", formats.number, (2917769,), "2.917.769"),
    ("nl", formats.number, (1.23456, 3), "1,235"),
    ("en", formats.number, (1.23456, 3), "1.235"),
    ("nl", formats.number, (None,), ""),
    ("nl", formats.share, (0.953,), "95%"),
    ("nl", formats.share, (None,), "—"),
    ("nl", formats.date, (dt.date(2026, 12, 3),), "3 dec 2026"),
    ("en", formats.date, (dt.date(2026, 12, 3),), "Dec 3, 2026"),
    ("nl", formats.date, (dt.date(2027, 3, 1),), "1 mrt 2027"),
    # 14:05 UTC is 15:05 in Amsterdam in winter and 16:05 in summer.
    ("nl", formats.datetime, (dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC),), "3 dec 2026 15:05"),
    ("nl", formats.datetime, (dt.datetime(2027, 7, 1, 14, 5, tzinfo=dt.UTC),), "1 jul 2027 16:05"),
    ("en", formats.datetime, (dt.datetime(2026, 12, 3, 14, 5, tzinfo=dt.UTC),), "Dec 3, 2026 3:05\u202fPM"),
]


@pytest.mark.parametrize(("locale", "function", "args", "expected"), FORMATS)
def test_numbers_dates_and_times_are_written_for_the_language(app, locale, function, args, expected) -> None:
    with app.test_request_context(headers={"Accept-Language": locale}):
        assert function(*args) == expected


def test_a_dutch_stock_page_groups_thousands_with_a_point_and_writes_months(as_role, db) -> None:
    item, warehouse = factories.item(code="FFP2-NL"), factories.warehouse()
    lot = receive(item, warehouse, 11439, lot_number="L-NL-1").lot
    lot.expiry_date = dt.date(2027, 3, 1)
    db.flush()
    stock = as_role("logistics").get("/inventory/stock", headers=NL)
    row = next(line for line in stock.text.split("<tr>") if "FFP2-NL" in line)
    assert "11.439 piece" in row
    assert "(1 mrt 2027)" in row
    lot_page = as_role("logistics").get(f"/inventory/lots/{lot.id}", headers=NL)
    assert "<td>1 mrt 2027</td>" in lot_page.text
    assert "<td>vrijgegeven</td>" in lot_page.text


def test_form_messages_of_wtforms_are_dutch_on_a_dutch_page(client, db) -> None:
    response = client.post("/login", data={"email": "", "password": ""}, headers=NL)
    assert response.text.count("Vul dit veld in.") == 2
    assert "This field is required" not in response.text


def test_a_request_line_quantity_that_is_no_whole_number_is_told_in_dutch(as_role, db) -> None:
    process, item = factories.process(), factories.item()
    region = as_role("region")
    response = region.post("/requests/new", headers=NL, data={
        "essential_process_id": str(process.id), "needed_by": "2030-01-01", "contact": "Jan, 06-12345678",
        "justification": "oefening", "delivery_address": "Kerkstraat 1, Utrecht",
        "lines-0-item_id": str(item.id), "lines-0-quantity": "1.5", "form_token": "t"})
    assert response.status_code == 422
    assert "Vul een heel getal in." in response.text
    assert "Not a valid" not in response.text


def test_api_errors_follow_the_language_and_keep_english_as_the_library_wrote_it(client, db, api_as) -> None:
    headers = api_as("logistics")
    dutch = client.post("/api/v1/movements", json={"type": "issue"}, headers={**headers, **NL})
    english = client.post("/api/v1/movements", json={"type": "issue"}, headers={**headers, **EN})
    assert dutch.status_code == english.status_code == 422
    assert dutch.json["message"] == "Niet alle velden zijn goed ingevuld."
    assert dutch.json["errors"]["quantity"] == ["Dit verplichte veld ontbreekt."]
    assert english.json["errors"]["quantity"] == ["Missing data for required field."]


def test_api_range_messages_are_translated_with_their_numbers(client, db, api_as) -> None:
    response = client.post("/api/v1/movements", json={"type": "issue", "lot_id": 0, "warehouse_id": 1,
                                                      "quantity": 1, "reason": "x"},
                           headers={**api_as("logistics"), **NL})
    assert response.json["errors"]["lot_id"] == ["Moet minstens 1 en hoogstens 2147483647 zijn."]


def test_error_pages_speak_dutch(client, db) -> None:
    factories.user(Role.LOGISTICS)
    page = client.get("/login/does-not-exist", headers=NL)
    assert page.status_code == 404
    assert "Deze pagina bestaat niet, of u mag haar niet zien." in page.text
    assert "requested URL" not in page.text
