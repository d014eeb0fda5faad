# ruff: noqa: E501  (CLASSIC_TEMPLATE is a user's file, kept verbatim)
"""The fast template path stays correct and sandboxed.

"Reflections due" is rendered on every sync that changes anything, so the package
template avoids a macro call per item and the sandbox takes a short cut for vaultcrm's
own records. These tests pin that neither is visible: a vault override written against
the earlier macro-based template (before the focus list) still lists every reflection,
`detag` keeps its exact rules, and private attributes stay out of reach.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import MakeVault
from tests.sessions import compute
from vaultcrm.app.sync import render_outcome
from vaultcrm.output.generated import item_ids
from vaultcrm.output.render import detag
from vaultcrm.output.template_limits import TemplateError

TODAY = dt.date(2026, 11, 23)
OVERRIDE = ".vaultcrm/templates/reflections.md.j2"

#: The package template as it was before it was flattened for speed (macros per kind):
#: users copied it as their override, so it must keep working and give the same note.
CLASSIC_TEMPLATE = """{#- "Reflections due": one section per kind, one task line per reflection.
    Override by copying this file to <vault>/.vaultcrm/templates/reflections.md.j2.
    Keep the trailing ^{{ item.id }} on each task line: it is how a ticked box is recorded.
    Context: today (date), items (all), sections (kind, title, items), problem_count.
    An item has: kind, name, reason, data (the --json fields), person (aliases, likes,
    boundaries, circle, ...), last (the last interaction: date, text, or none), id, and
    done (a birthday, date or win whose tick was recorded: it stays listed, ticked). -#}
{%- macro context(item) -%}
{% if item.last %}
    - Last time ({{ item.last.date|short_date }} {{ item.last.date.year }}): {{ item.last.text|detag }}
{% endif %}
{% if item.person.likes %}
    - Likes: {{ item.person.likes|join(", ") }}
{% endif %}
{% if item.person.boundaries %}
    - Mind: {{ item.person.boundaries }}
{% endif %}
{%- endmacro -%}

{%- macro reach_out(item) -%}
Reach out to {{ item.name|wikilink }} — {{ item.reason }}
{%- endmacro -%}
{%- macro share(item) -%}
{{ item.reason|linked(item.name) }}
{%- endmacro -%}
{%- macro listen(item) -%}
{{ item.reason|linked(item.name) }}
{%- endmacro -%}
{%- macro deep(item) -%}
{{ item.reason|linked(item.name) }}
{%- endmacro -%}
{%- macro birthday(item) -%}
{{ item.name|wikilink }}'s birthday — {{ item.reason }}
{%- endmacro -%}
{%- macro date(item) -%}
{{ item.name|wikilink }} — {{ item.reason }}
{%- endmacro -%}
{%- macro follow_up(item) -%}
{{ item.name|wikilink }} — {{ item.reason }}
{%- endmacro -%}
{%- macro celebrate(item) -%}
Celebrate with {{ item.name|wikilink }} — {{ item.reason }}
{%- endmacro -%}

{%- set lines = {
    "reach_out": reach_out, "share": share, "listen": listen, "deep": deep,
    "birthday": birthday, "date": date, "follow_up": follow_up, "celebrate": celebrate,
} -%}
# Reflections due

*{{ today|long_date }} · {{ items|length }} {{ "reflection" if items|length == 1 else "reflections" }}. Tick a box when it's done: the next sync records it in the person's note.*
{% if not sections %}

Nobody is due. Enjoy the quiet.
{% endif %}
{% for section in sections %}

## {{ section.title }}

{% for item in section.items %}
- [{{ "x" if item.done else " " }}] {{ lines[item.kind](item)|detag }} ^{{ item.id }}
{% if item.kind in ("reach_out", "deep") %}
{{ context(item) }}
{%- endif %}
{% endfor %}
{% endfor %}
{% if problem_count %}

---
{{ problem_count }} {{ "problem" if problem_count == 1 else "problems" }} in the vault: run `vaultcrm check` to see them.
{% endif %}
"""

TRICKY_PEOPLE = {
    "People/Bob #friend.md": (
        "---\ncircle: close\nlikes: [tea  time, '{{ 7*7 }}', '#coffee']\n"
        'boundaries: "Don\'t  mention {% raw %} #work\\tplease"\n'
        "birthday: 1980-11-30\ndates: {'wed #ding': 2001-12-01}\n---\n"
        "- 2026-01-02 Talked  about {{ 7*7 }} #shared  and #2 things\ttabbed #heard\n"
        "- 2026-02-02 More #shared\n- 2026-03-02 More #shared #win\n"
        "- [ ] 2026-11-25 Ask  about #foo {{ x }}\n"
    ),
    "People/Carol.md": "---\ncircle: family\nboundaries: ''\nlikes: []\n---\n",
    "People/Dee.md": (
        "---\ncircle: close\ncadence: 3 days\n---\n"
        "- 2026-11-20 Great news #win #heard\n- 2026-11-10 x #heard\n- 2026-11-11 y #heard\n"
    ),
    "People/Bad.md": "---\ncircle: [unclosed\n---\n",
    "Journal/2026-11-21.md": (
        "- Lunch with [[Carol]] #deep  ok\n- [ ] call [[Dee]] about  {{ stuff }}\n"
    ),
}


def render(root: Path, today: dt.date, every_other_done: bool = False) -> str:
    outcome = compute(root, today, cache=False)
    done = item_ids(outcome.reflections)[::2] if every_other_done else []
    return render_outcome(outcome, done)


def with_classic_override(root: Path) -> Path:
    (root / OVERRIDE).parent.mkdir(parents=True, exist_ok=True)
    (root / OVERRIDE).write_text(CLASSIC_TEMPLATE, encoding="utf-8")
    return root


def ids_in(note: str) -> list[str]:
    return re.findall(r"\^(vcrm-[a-z-]+-[0-9a-f]{8})$", note, re.M)


@pytest.mark.parametrize("day", [TODAY, dt.date(2026, 4, 10), dt.date(2027, 1, 2)])
@pytest.mark.parametrize("done", [False, True])
def test_a_classic_override_still_lists_every_reflection_once_as_the_package_note_does(
    example_vault: Path, make_vault: MakeVault, day: dt.date, done: bool
) -> None:
    """An override written before the focus list (it loops over `sections`) keeps
    working: every reflection once, each with its id; the package's note lists each once
    too, those of the people not in the notes yet in one line, without ids."""
    from vaultcrm.reflect.kinds import not_yet

    for root in (example_vault, make_vault(TRICKY_PEOPLE, name=f"tricky-{day}-{done}")):
        reflections = compute(root, day, cache=False).reflections
        ids = item_ids(reflections)
        package = render(root, day, done)
        assert "## " in package or "Nobody is due" in package
        shown = ids_in(package)
        assert len(shown) == len(set(shown)) and set(shown) <= set(ids)
        for r, i in zip(reflections, ids, strict=True):  # the rest: in the compact list
            if i not in shown:
                assert not_yet(r.kind, r.data)
                assert f"[[{r.person}]]" in package.split("## Not yet in your notes")[1]
        classic = render(with_classic_override(root), day, done)
        older = {"drift", "surprise"}
        known = [key for r, key in zip(reflections, ids, strict=True) if r.kind not in older]
        assert sorted(ids_in(classic)) == sorted(known)
        shutil.rmtree(root / ".vaultcrm")


def test_tags_are_stripped_from_quoted_text_never_from_a_name(make_vault: MakeVault) -> None:
    note = render(make_vault(TRICKY_PEOPLE), dt.date(2026, 11, 24))
    assert "\n### [[Bob #friend]]\n" in note
    assert (
        "- [ ] **Listen** — You have opened up to [[Bob #friend]] twice without Bob #friend"
        " reciprocating" in note
    )
    assert "- [ ] **Date** — [[Bob #friend]]: Wed: 25 years on Tue 1 Dec (in 7 days). ^vcrm-date-" in note
    assert "- Last open exchange (Mon 2 Mar): More\n" in note
    assert "- Likes: tea  time, {{ 7*7 }}, #coffee\n" in note  # likes are not detagged
    assert "\n1 problem in the vault" in note


def _classic_detag(text: str) -> str:
    out = re.sub(r"(?<!\S)#([\w/-]+)", lambda m: m.group(0) if m.group(1).isdigit() else "", text)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


@given(st.text(alphabet=" \t\n#ab1_/-\u00e9.", max_size=40))
def test_detag_keeps_its_rules(text: str) -> None:
    assert detag(text) == _classic_detag(text)


@pytest.mark.parametrize(
    ("expression", "refused"),
    [
        ("items[0].__class__", jinja2.exceptions.SecurityError),
        ("items[0].person.__dict__", jinja2.exceptions.SecurityError),
        ("items[0].last._asdict()", jinja2.exceptions.SecurityError),
        ("today.__class__", jinja2.exceptions.SecurityError),
        ("'{0.__class__}'.format(items[0])", jinja2.exceptions.SecurityError),
        ("items[0]._hidden", jinja2.exceptions.UndefinedError),
        ("items[0].nothing", jinja2.exceptions.UndefinedError),
    ],
)
def test_private_attributes_of_records_stay_out_of_reach(
    make_vault: MakeVault, expression: str, refused: type[Exception]
) -> None:
    root = make_vault({**TRICKY_PEOPLE, OVERRIDE: f"{{{{ {expression} }}}}\n"})
    with pytest.raises(TemplateError, match=rf"^{re.escape(OVERRIDE)}:1: ") as caught:
        render(root, TODAY)
    assert isinstance(caught.value.__cause__, refused)


def test_public_attributes_of_records_reach_a_template(make_vault: MakeVault) -> None:
    template = (
        "{% for i in items if i.kind == 'reach_out' %}{{ i.name }}|{{ i.data.cadence_days }}|"
        "{{ i.reflection.file }}|{{ i.person.circle }}|{{ i.last.date.isoformat() }}|"
        "{{ i.last.flags|sort|join(',') }}\n{% endfor %}"
    )
    root = make_vault({**TRICKY_PEOPLE, OVERRIDE: template})
    assert render(root, TODAY).endswith(
        "Bob #friend|14|People/Bob #friend.md|close|2026-03-02|shared,win\n"
        "Dee|3|People/Dee.md|close|2026-11-20|heard,win\n"
    )


def test_the_focus_list_and_the_chart_reach_a_template(make_vault: MakeVault) -> None:
    template = (
        "{% for f in focus %}{{ f.name }}|{{ f.items|length }}|{{ f.context.text if f.context"
        " else '-' }}|{{ f.context_open }}\n{% endfor %}{{ chart.series[0]|sum }}"
        "|{{ chart.labels[0] }}|{{ rest|map(attribute='kind')|join(',') }}\n"
    )
    root = make_vault({**TRICKY_PEOPLE, OVERRIDE: template})
    assert render(root, dt.date(2026, 11, 24)).endswith(
        "Dee|5|-|False\nBob #friend|6|More #shared #win|True\n3|Dec|\n"
    )
