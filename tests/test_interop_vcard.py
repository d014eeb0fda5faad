"""vCard reading and writing, card by card: what each vendor's quirks become."""

from __future__ import annotations

from vaultcrm.interop.contacts import Contact, Source, read_date
from vaultcrm.interop.vcard import read_vcards, write_vcards
from vaultcrm.model import YearlyDate


def card(*lines: str, version: str = "3.0") -> str:
    return "\r\n".join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + "\r\n"


def one(text: str) -> Contact:
    contacts, problems = read_vcards("c.vcf", text)
    assert [p for p in problems if p.severity == "error"] == []
    assert len(contacts) == 1
    return contacts[0]


def test_folded_lines_and_escapes_of_3_0() -> None:
    contact = one(card("FN:Ann Lee", "NOTE:one\\, two\\; three\\nfour", " folded", "TITLE:a\\\\b"))
    assert contact.note == "one, two; three\nfourfolded"
    assert contact.job_title == "a\\b"


def test_quoted_printable_of_2_1_with_soft_line_breaks_and_unescaped_commas() -> None:
    text = card(
        "N;CHARSET=utf-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen",
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=utf-8:Hannover, 2019. Calls,=",
        " not mail.=0D=0ASecond=",
        "line.",
        "TEL;CELL;VOICE:+49 170 1",
        version="2.1",
    )
    contact = one(text)
    assert contact.name == "Jürgen Müller"  # from N: given, family
    assert contact.note == "Hannover, 2019. Calls, not mail.\nSecondline."
    assert contact.phones == ("+49 170 1",)


def test_item_groups_name_apple_dates_and_the_preferred_email_comes_first() -> None:
    contact = one(
        card(
            "FN:Ken",
            "item1.EMAIL;type=INTERNET:second@example.org",
            "item2.EMAIL;type=INTERNET;type=pref:first@example.org",
            "item3.X-ABDATE:2012-10-20",
            "item3.X-ABLabel:_$!<Anniversary>!$_",
            "item4.X-ABDATE:2019-03-02",
            "item4.X-ABLabel:First Met",
            "item5.URL:https\\://example.org",
        )
    )
    assert contact.emails == ("first@example.org", "second@example.org")
    assert contact.dates == (
        YearlyDate("anniversary", 10, 20, 2012),
        YearlyDate("first met", 3, 2, 2019),
    )
    assert contact.urls == ("https://example.org",)


def test_year_less_birthdays_in_every_spelling() -> None:
    for value, year in [
        ("BDAY:--0412", None),
        ("BDAY:--04-12", None),
        ("BDAY;X-APPLE-OMIT-YEAR=1604:1604-04-12", None),
        ("BDAY;VALUE=date:1990-04-12", 1990),
        ("BDAY:19900412", 1990),
        ("BDAY:1990-04-12T00:00:00Z", 1990),
    ]:
        assert one(card("FN:A", value)).birthday == YearlyDate("birthday", 4, 12, year), value


def test_feb_29_without_a_year_is_a_possible_birthday() -> None:
    assert one(card("FN:A", "BDAY:--0229")).birthday == YearlyDate("birthday", 2, 29, None)
    assert read_date("2001-02-29", "birthday") is None


def test_an_unreadable_birthday_is_a_warning_and_the_card_still_imports() -> None:
    contacts, problems = read_vcards("c.vcf", card("FN:A", "BDAY;VALUE=text:circa 1800"))
    assert contacts[0].birthday is None
    assert [p.format() for p in problems] == [
        "c.vcf:4: warning: card 1: BDAY 'circa 1800' is not a date this import understands; "
        "left out"
    ]


def test_nickname_categories_anniversary_and_what_is_left_out() -> None:
    contact = one(
        card(
            "FN:Priya Raman",
            "NICKNAME:Pri,PJ",
            "CATEGORIES:myContacts,book club,Family",
            "ANNIVERSARY:20180908",
            "X-MONICA-CONTACT-ID:12",
            "PHOTO;ENCODING=b;TYPE=JPEG:/9j/4AAQSkZJRgABAQ",
            " AAAQABAAD",
            version="4.0",
        )
    )
    assert contact.aliases == ("Pri", "PJ")
    assert contact.tags == ("book-club", "Family")  # Google's system group is no tag
    assert contact.dates == (YearlyDate("anniversary", 9, 8, 2018),)
    assert "9j" not in repr(contact)  # the photo is never decoded or kept


def test_a_broken_card_in_the_middle_is_reported_with_its_number_and_line() -> None:
    text = card("FN:One") + card("FN:Two", "no colon here") + card("FN:Three")
    contacts, problems = read_vcards("c.vcf", text)
    assert [c.name for c in contacts] == ["One", "Three"]
    assert [c.source.where() for c in contacts] == ["c.vcf:1", "c.vcf:10"]
    assert [p.format() for p in problems] == [
        "c.vcf:8: card 2: Failed to parse line: no colon here; skipped"
    ]


def test_an_unclosed_card_and_a_card_without_a_name_are_skipped_and_said() -> None:
    text = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut\r\n" + card("EMAIL:x@example.org") + card("FN:Ok")
    contacts, problems = read_vcards("c.vcf", text)
    assert [c.name for c in contacts] == ["Ok"]
    assert [p.format() for p in problems] == [
        "c.vcf:1: card 1: no END:VCARD before the next card or the file's end; skipped",
        "c.vcf:4: card 2: no name (FN, N or ORG); skipped",
    ]


def test_a_file_without_cards_is_an_error_and_text_between_cards_a_warning() -> None:
    _, problems = read_vcards("c.vcf", "name,email\nAnn,a@example.org\n")
    assert [p.format() for p in problems] == [
        "c.vcf:1: no BEGIN:VCARD in this file: is it a vCard file?"
    ]
    contacts, problems = read_vcards("c.vcf", card("FN:A") + "stray\r\n" + card("FN:B"))
    assert [c.name for c in contacts] == ["A", "B"]
    warning = "c.vcf:5: warning: text outside BEGIN:VCARD … END:VCARD is ignored"
    assert [p.format() for p in problems] == [warning]


def test_an_organization_only_card_is_named_after_it() -> None:
    contact = one(card("FN:Verdant Bakery", "N:;;;;", "ORG:Verdant Bakery;"))
    assert (contact.name, contact.named_after) == ("Verdant Bakery", "organization")
    contact = one(card("ORG:Acme\\, Inc.;Sales"))
    assert (contact.name, contact.organization) == ("Acme, Inc.", "Acme, Inc.")


def test_written_cards_are_vcard_4_and_read_back_the_same() -> None:
    contact = Contact(
        "Ann Lee",
        Source("People/Ann Lee.md", 1, "Ann Lee"),
        aliases=("Annie", "A, L"),
        tags=("climbing",),
        birthday=YearlyDate("birthday", 2, 29, None),
        dates=(YearlyDate("anniversary", 6, 1, 2015), YearlyDate("first met", 1, 2, None)),
        emails=("ann@example.org",),
        phones=("+1 555 0100",),
        addresses=("1 Main St, 12345 Springfield; USA",),
        organization="Acme; Sons",
        job_title="Chief, of things",
        urls=("https://example.org",),
    )
    text = write_vcards([(contact, "People/Ann Lee.md")])
    assert text.startswith("BEGIN:VCARD\r\nVERSION:4.0\r\n")
    assert "BDAY:--0229\r\n" in text and "ANNIVERSARY:20150601\r\n" in text
    back = one(text)
    assert back == Contact(**{**contact.__dict__, "source": back.source})
    assert write_vcards([(contact, "People/Ann Lee.md")]) == text  # deterministic, UID too
