"""CSV reading: Google's two export shapes and a plain file, row by row."""

from __future__ import annotations

from vaultcrm.interop.google_csv import read_csv
from vaultcrm.model import YearlyDate

GOOGLE_HEADER = (
    "First Name,Middle Name,Last Name,Nickname,Organization Name,Organization Title,Birthday,"
    "Notes,Labels,E-mail 1 - Label,E-mail 1 - Value,E-mail 2 - Value,Phone 1 - Value,"
    "Address 1 - Formatted,Website 1 - Value,Event 1 - Label,Event 1 - Value,Photo"
)


def test_google_columns_multi_value_cells_and_system_labels() -> None:
    row = (
        'Ann,,Lee,Annie,Acme,CTO,--04-12,"two\nlines",* myContacts ::: Climbing Club ::: * starred,'
        'Home,a@example.org ::: b@example.org,c@example.org,+1 555,"1 Main St\nSpringfield",'
        "https://ann.example,Anniversary,2015-06-01,https://photo.example/x.jpg"
    )
    contacts, problems = read_csv("g.csv", f"{GOOGLE_HEADER}\r\n{row}\r\n")
    assert problems == []
    ann = contacts[0]
    assert ann.name == "Ann Lee" and ann.aliases == ("Annie",)
    assert ann.birthday == YearlyDate("birthday", 4, 12, None)
    assert ann.emails == ("a@example.org", "b@example.org", "c@example.org")
    assert ann.tags == ("Climbing-Club", "starred")
    assert ann.note == "two\nlines"
    assert ann.addresses == ("1 Main St, Springfield",)
    assert ann.dates == (YearlyDate("anniversary", 6, 1, 2015),)
    assert (ann.organization, ann.job_title, ann.urls) == ("Acme", "CTO", ("https://ann.example",))


def test_older_google_export_with_given_and_family_names() -> None:
    text = (
        "Name,Given Name,Family Name,Group Membership,E-mail 1 - Value,Organization 1 - Name\n"
        "Dmitri Volkov,Dmitri,Volkov,* My Contacts ::: Chess,d@example.org,Volkov & Sons\n"
        ",Olga,Volkova,,o@example.org,\n"
    )
    contacts, problems = read_csv("old.csv", text)
    assert problems == []
    assert [(c.name, c.tags, c.organization) for c in contacts] == [
        ("Dmitri Volkov", ("Chess",), "Volkov & Sons"),
        ("Olga Volkova", (), None),
    ]


def test_plain_csv_with_list_columns_and_its_unknown_columns_said() -> None:
    text = 'name,birthday,email,tags,shoe size\nHana Kim,1994-03-08,h@x.kr; k@x.kr,"a, b",38\n'
    contacts, problems = read_csv("p.csv", text)
    assert contacts[0].emails == ("h@x.kr", "k@x.kr")
    assert contacts[0].tags == ("a", "b")
    assert [p.format() for p in problems] == ["p.csv:1: warning: columns not imported: 'shoe size'"]


def test_rows_are_reported_with_their_line_never_dropped_silently() -> None:
    text = (
        "name,organization,email,birthday\n"
        '"Multi\nline name",,,\n'  # lines 2-3: a quoted name over two lines
        ",Verdant Bakery,,\n"  # line 4: only an organization: imported under it
        ",,orphan@example.org,\n"  # line 5: no name at all
        "Ann,,,1990-02-30\n"  # line 6: an impossible birthday
        "Bo,,,,extra\n"  # line 7: more fields than the header
        '"Cy,,,\n'  # line 8: an unterminated quote
    )
    contacts, problems = read_csv("r.csv", text)
    assert [(c.name, c.source.where(), c.named_after) for c in contacts] == [
        ("Multi line name", "r.csv:2", "name"),
        ("Verdant Bakery", "r.csv:4", "organization"),
        ("Ann", "r.csv:6", "name"),
    ]
    assert [p.format() for p in problems] == [
        "r.csv:5: row 3: no name (a name, first or last name, or organization); skipped",
        "r.csv:6: warning: row 4: birthday '1990-02-30' is not a date this import understands; "
        "left out",
        "r.csv:7: row 5: 5 fields, the header has 4; skipped",
        "r.csv:8: row 6: not valid CSV (unexpected end of data); skipped",
    ]


def test_a_file_without_a_name_column_is_one_problem() -> None:
    contacts, problems = read_csv("x.csv", "foo,bar\n1,2\n")
    assert contacts == []
    assert problems[0].line == 1 and "no name column" in problems[0].message
