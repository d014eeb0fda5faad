"""The edits that keep hand-kept fields true (`edit/fieldline.py`): a ticked field follow-up
loses its value, a recorded contact moves `last_contact` forward; every other byte of the
note stays as it was (comments, quoting, CRLF, a BOM, the body), one case each."""

from __future__ import annotations

import datetime as dt

import pytest

from vaultcrm.edit.fieldline import cleared_follow_up, moved_last_contact
from vaultcrm.read.parse import parse_note

DAY = dt.date(2026, 11, 23)
BOM = "\ufeff"


@pytest.mark.parametrize(
    ("before", "line", "after"),
    [
        pytest.param(
            "---\nname: Ben\nnext_follow_up: 2026-11-20\ntags: [a]\n---\nBody\n", 3,
            "---\nname: Ben\nnext_follow_up:\ntags: [a]\n---\nBody\n", id="plain",
        ),
        pytest.param(
            "---\nnext_follow_up: 2026-11-20  # the interview\nname: Ben\n---\n", 2,
            "---\nnext_follow_up:             # the interview\nname: Ben\n---\n", id="comment",
        ),
        pytest.param(
            "---\nnext_follow_up: '2026-11-20'\n---\n", 2,
            "---\nnext_follow_up:\n---\n", id="single quotes",
        ),
        pytest.param(
            '---\nNext-Follow-Up: "2026-11-20"\n---\n', 2,
            "---\nNext-Follow-Up:\n---\n", id="double quotes, another spelling",
        ),
        pytest.param(
            "---\r\nname: Ben\r\nfollow_up: 2026-11-20\r\n---\r\nBody\r\n", 3,
            "---\r\nname: Ben\r\nfollow_up:\r\n---\r\nBody\r\n", id="CRLF",
        ),
        pytest.param(
            BOM + "---\nfollow_up: 2026-11-20\n---\n", 2,
            BOM + "---\nfollow_up:\n---\n", id="BOM",
        ),
        pytest.param(
            "Intro\nnext_follow_up:: 2026-11-20\n- 2026-11-01 Tea\n", 2,
            "Intro\nnext_follow_up::\n- 2026-11-01 Tea\n", id="inline line",
        ),
        pytest.param(
            "Call him [next_follow_up:: [[2026-11-20]]] soon.\r\n", 1,
            "Call him [next_follow_up::] soon.\r\n", id="inline bracket with a link",
        ),
    ],
)  # fmt: skip
def test_a_follow_up_field_loses_its_value_and_nothing_else(
    before: str, line: int, after: str
) -> None:
    data = cleared_follow_up(before.encode(), line)
    assert data == after.encode()
    record = parse_note("People/Ben.md", data, "person")
    assert not [e for e in record.entries if e.task] and not record.problems


def test_a_follow_up_on_another_line_or_already_empty_is_left_alone() -> None:
    note = b"---\nfollow_up: 2026-11-20\n---\n"
    assert cleared_follow_up(note, 3) == note  # not where the tick's follow-up was
    assert cleared_follow_up(b"---\nfollow_up:\n---\n", 2) == b"---\nfollow_up:\n---\n"
    assert cleared_follow_up(b"no field\n", 1) == b"no field\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param(
            "---\nlast_contact: 2026-11-01\nname: Ben\n---\n",
            "---\nlast_contact: 2026-11-23\nname: Ben\n---\n", id="plain",
        ),
        pytest.param(
            "---\nlast_contact: 2026-11-01   # by hand\n---\n",
            "---\nlast_contact: 2026-11-23   # by hand\n---\n", id="comment",
        ),
        pytest.param(
            "---\nLast Contacted: '2026-11-01'\n---\n",
            "---\nLast Contacted: '2026-11-23'\n---\n", id="single quotes, another spelling",
        ),
        pytest.param(
            '---\nlast_seen: "2026-11-01"\n---\n',
            '---\nlast_seen: "2026-11-23"\n---\n', id="double quotes",
        ),
        pytest.param(
            "---\r\nlast_contact: 2026-11-01\r\n---\r\n- 2026-11-01 Tea\r\n",
            "---\r\nlast_contact: 2026-11-23\r\n---\r\n- 2026-11-01 Tea\r\n", id="CRLF",
        ),
        pytest.param(
            BOM + "---\nlast_contact: 2026-11-01\n---\n",
            BOM + "---\nlast_contact: 2026-11-23\n---\n", id="BOM",
        ),
        pytest.param(
            "Seen [last_seen:: [[2026-11-01]]] at the gym.\n",
            "Seen [last_seen:: [[2026-11-23]]] at the gym.\n", id="inline with a link",
        ),
        pytest.param(
            "---\nlast_contact: 2026-11-01T10:30:00\n---\n",
            "---\nlast_contact: 2026-11-23\n---\n", id="a date and time: set anew",
        ),
    ],
)  # fmt: skip
def test_a_contact_moves_last_contact_forward_and_nothing_else(before: str, after: str) -> None:
    assert moved_last_contact(before.encode(), DAY) == after.encode()


def test_last_contact_never_moves_back_and_is_never_added() -> None:
    later = b"---\nlast_contact: 2026-11-30\n---\n"
    assert moved_last_contact(later, DAY) == later
    same = b"---\nlast_contact: 2026-11-23\n---\n"
    assert moved_last_contact(same, DAY) == same
    none = b"---\ncircle: close\n---\n- 2026-11-01 Tea\n"
    assert moved_last_contact(none, DAY) == none
    unreadable = b"---\nlast_contact: [oops\n---\n"
    assert moved_last_contact(unreadable, DAY) == unreadable
