"""Write a synthetic Obsidian vault in the note format (docs/format.md), for benchmarks.

    python benchmarks/generate.py OUT_DIR [--people 10000] [--daily 20000] [--seed 42]
        [--shape default|heavy] [--note-kb K] [--first-name-aliases F] [--cadence-words F]
        [--due-share F] [--meetings N] [--relations F]

The vault is a pure function of (people, daily, seed): the same arguments give
byte-identical files, so timings from different machines or commits compare like for
like. Notes are written by hand-built text rather than `yaml.safe_dump` on purpose:
real vaults mix flow and block lists, carry YAML comments and Obsidian-style quoted
links, and a parser should be measured on that, not on one tidy dump style.

What falls due is realistic too, since rendering and `--json` cost grows with it: most
people were last seen within their cadence, old tasks are ticked, open ones are recent
or upcoming, and the ledger tags mostly come in mutual exchanges. At `--today
2026-11-23` a 10,000-person vault reports about 2,300 reflections, every kind present
(about 900 of them `drift`: gaps drawn at random around a cadence break their own rhythm
now and then).

A `Shape` adds what real vaults do that the default one does not (issue "Real vaults"):
long notes, first names as aliases shared by many people, cadences as words, most
people due, and meeting notes that link people from their frontmatter. Its features
draw from their own random stream, so the default shape's bytes never change. The
people around someone (`--relations SHARE`: a partner linked to another person, children
with birthdays, a colleague; issue "Depth") draw from a stream of their own, so they
change no other byte of either shape; neither shape has them unless asked.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

#: The last daily note; the benchmarks run `--today 2026-11-23`, the day after.
LAST_DAY = dt.date(2026, 11, 22)
#: Share of people last seen longer ago than their cadence (they get `reach_out`).
OVERDUE_SHARE = 0.04


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = _words(
    "Aaron Abigail Adam Ada Adrian Aisha Alan Alba Alejandro Alex Alice Amara Amelia Amir Ana "
    "Andrea Andrew Anika Anna Anton Arjun Astrid Ava Ben Bianca Boris Brian Bruno Camila Carla "
    "Carlos Caroline Chen Chiara Chloe Clara Daniel Dara David Diana Diego Dmitri Elena Eli Elif "
    "Elias Ella Emil Emma Erik Eva Farah Felix Fatima Finn Freya Gabriel Georg Grace Hana Hannah "
    "Hugo Ian Ida Ingrid Isaac Isabel Ivan Jack Jakob James Jana Javier Jonas Jose Julia Julian "
    "Kai Karin Kate Kenji Kira Lars Laura Lea Leila Leon Liam Lina Lucas Lucia Luis Maja Marco "
    "Maria Mark Marta Mateo Max Maya Mei Mia Mila Nadia Nico Nina Noah Nora Olga Omar Oscar "
    "Pablo Paula Pedro Priya Rafael Rahul Rosa Ruth Sam Sara Sean Selin Sofia Sven Tara Theo "
    "Thomas Tom Uma Valentina Victor Vera Wei Yara Yusuf Zara Zoë José Renée Søren Łukasz"
)

LAST_NAMES = _words(
    "Abbott Adeyemi Alvarez Andersen Bach Baker Banerjee Barros Becker Bergman Bianchi Blanc "
    "Brandt Brooks Byrne Campbell Carter Castro Chen Clarke Costa Cruz Dahl Das Davies Dubois "
    "Eriksen Evans Fischer Fleming Fontaine Fox Garcia Gomez Graham Gray Gupta Hahn Hall Hansen "
    "Hart Hayes Hoffmann Horvat Hughes Ito Jansen Jensen Johansson Jones Kaplan Keller Kelly Khan "
    "Kim Klein Koch Kowalski Kruger Kumar Lang Larsen Laurent Lee Lehmann Lindqvist Lopez Lund "
    "Marsh Martin Meier Mendes Meyer Miller Moreau Morris Murphy Nagy Nakamura Neumann Ng Nielsen "
    "Novak Nowak O'Brien Okafor Olsen Ortiz Park Patel Perez Petrov Pham Quinn Reyes Richter Rossi "
    "Roth Russo Sato Schmidt Schneider Schulz Silva Singh Smith Sousa Stein Suzuki Svensson Tanaka "
    "Taylor Torres Vogel Wagner Walsh Wang Weber Wolf Wong Wright Yamamoto Young Zhang Ziegler "
    "Müller Núñez Øvergaard"
)

NICKNAMES = {
    "Alexander": "Sasha", "Alejandro": "Ale", "Abigail": "Abby", "Alice": "Ali", "Andrew": "Andy",
    "Benjamin": "Ben", "Caroline": "Caro", "Daniel": "Dan", "David": "Dave", "Elena": "Lena",
    "Elias": "Eli", "Gabriel": "Gabe", "Isabel": "Izzy", "Jakob": "Kuba", "James": "Jim",
    "Julian": "Jules", "Katharina": "Kathi", "Lucas": "Luke", "Matthew": "Matt", "Nicolas": "Nico",
    "Samuel": "Sam", "Thomas": "Tom", "Valentina": "Vale", "Victor": "Vic", "Dmitri": "Dima",
}

SUBFOLDERS = ("Work", "Family", "Climbing", "School", "Neighbours", "Work/Past")
CIRCLES = ("family", "close", "friends", "acquaintances")
#: Cadence overrides as people write them, with their length in days (docs/format.md).
CADENCES = {"3 weeks": 21, "10 days": 10, "2 months": 60, "1y": 365, "3w": 21, "2m": 60,
            "45": 45, "6 weeks": 42, "1 month": 30}
#: The default config's cadence per circle, and `default_cadence` for people without one.
CIRCLE_DAYS = {"family": 7, "close": 14, "friends": 42, "acquaintances": 180}
DEFAULT_CADENCE = 90
TAGS = ("climbing", "work", "uni", "neighbour", "book-club", "running", "music", "parent",
        "startup", "chess", "choir", "football")
LIKES = ("flat white", "bouldering", "jazz", "sourdough", "board games", "sci-fi", "hiking",
         "Ethiopian food", "vinyl", "cycling", "pottery", "crosswords", "espresso", "gardening",
         "podcasts", "sailing", "ramen", "poetry", "trail running", "Lego")
BOUNDARIES = ("Don't bring up her dad.", "Avoid politics.", "Not a fan of surprise visits.",
              "Doesn't drink; suggest tea.", "Divorce is still raw.",
              "Hates phone calls, text first.")
COMPANIES = ("Acme GmbH", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Hooli",
             "Vandelay Imports", "Wayne Enterprises", "self-employed", "University of Leeds")
ROLES = ("engineer", "designer", "teacher", "nurse", "product manager", "founder", "lawyer",
         "chef", "researcher", "student", "architect", "musician")
CITIES = ("Berlin", "Lisbon", "London", "Leeds", "Oslo", "Vienna", "Madrid", "Kraków", "Tokyo",
          "Toronto", "Nairobi", "Melbourne", "Hamburg", "Porto")
MET = ("climbing gym", "university", "a friend's wedding", "work", "the neighbourhood",
       "a conference in Lisbon", "book club", "school", "Tinder, long story")
DATE_LABELS = ("wedding", "anniversary", "name day", "sobriety", "moved in", "kid's birthday")
TIMEZONES = ("Europe/Berlin", "Europe/London", "Europe/Lisbon", "Asia/Tokyo", "America/Toronto",
             "Africa/Nairobi", "Australia/Melbourne")
LANGUAGES = ("German", "English", "Portuguese", "Spanish", "Japanese", "Polish", "Swahili",
             "French")
PRONOUNS = ("she/her", "he/him", "they/them")

FREE_TEXT = (
    "Always early, always with a book.",
    "Gives great advice about money, terrible advice about love.",
    "We lost touch after the move, picked it up again last spring.",
    "Loves long walks and longer voice messages.",
    "Prefers mornings; never call after 9pm.",
    "Has two kids and a very loud dog.",
    "Knows everyone in the local music scene.",
    "Training for a marathon, again.",
    "Introduced me to half my current friends.",
    "Thinking about changing careers, maybe teaching.",
    "Remember: allergic to nuts.",
    "Best person to call in a crisis.",
    "Collects old maps and fountain pens.",
    "Moved back home to look after their mother.",
)
ACTIVITIES = ("Coffee", "Call", "Lunch", "Dinner", "Walk", "Video call", "Drinks", "Texted",
              "Climbing", "Ran into each other", "Breakfast", "Voice messages")
TOPICS = (
    "Berlin marathon training.", "Talked about the new job.", "She got the promotion!",
    "Kids are sick again.", "Planning a trip to Japan.", "Told them about my imposter syndrome.",
    "They opened up about the breakup.", "Long talk about their father.", "Argued about films.",
    "Helped with the move.", "Book recommendations swapped.", "Their startup closed a round!",
    "Caught up on old friends.", "Worried about the house sale.", "Shared photos from the hike.",
)
TASKS = ("Ask how the marathon went", "Send the article on sleep", "Return the drill",
         "Book the restaurant", "Send birthday card", "Ask about the interview",
         "Share photos from the trip", "Call back about the flat", "Introduce to Marta")
DAILY_FREE = ("Slept badly, rain all day.", "Productive morning, tired afternoon.",
              "Went for a run along the canal.", "Read for an hour before bed.",
              "Quiet day. Cooked soup.", "Too many meetings.", "Sunny! Finally.",
              "Worked from the café.", "Cleaned the flat.", "Feeling a bit low today.")
DAILY_ACTS = ("Coffee with", "Call with", "Lunch with", "Dinner with", "Walk with",
              "Texted", "Climbing with", "Ran into", "Video call with", "Drinks with")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


@dataclass(frozen=True)
class Shape:
    """Knobs for what a vault looks like beyond its size; the defaults are the classic
    synthetic vault."""

    note_kb: int = 0  # pad person notes with free text to about this many KB (0: no padding)
    first_name_aliases: float = 0.0  # share of people aliased by their bare first name
    cadence_words: float = 0.0  # share of people whose cadence is a word ("quarterly")
    due_share: float = OVERDUE_SHARE  # share of people last seen longer ago than their cadence
    meetings: float = 0.0  # meeting notes in Notes/ per person (each links 1-3 people)
    relations: float = 0.0  # share of people whose note names people around them


DEFAULT_SHAPE = Shape()
#: ~100 MB of notes at 10,000 people: long notes, first-name aliases, most people due,
#: cadence words and a meeting note per two people.
HEAVY_SHAPE = Shape(note_kb=9, first_name_aliases=1.0, cadence_words=0.5, due_share=0.98,
                    meetings=0.5)  # fmt: skip
SHAPES = {"default": DEFAULT_SHAPE, "heavy": HEAVY_SHAPE}

#: Cadence words and their days, as CRM templates write them.
CADENCE_WORDS = {"weekly": 7, "fortnightly": 14, "monthly": 30, "Quarterly": 90,
                 "every 2 months": 60, "yearly": 365}  # fmt: skip


@dataclass(frozen=True)
class _Person:
    name: str
    folder: str  # vault-relative folder, e.g. "People" or "People/Work"
    alias: str | None
    rank: int  # 0 is the person you see most


def _unique_people(rng: random.Random, count: int) -> list[_Person]:
    """Distinct names (case-insensitively, as Obsidian links match); aliases clash with no name."""
    taken: set[str] = set()
    names: list[str] = []
    for _ in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        name = base = f"{first} {last}"
        if name.lower() in taken:  # as people do: a middle initial, then a number
            name = base = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTVW')}. {last}"
        n = 1
        while name.lower() in taken:
            n += 1
            name = f"{base} {n}"
        taken.add(name.lower())
        names.append(name)
    people = []
    for rank, name in enumerate(names):
        first = name.split(" ", 1)[0]
        alias: str | None = None
        if rng.random() < 0.35:
            nick = NICKNAMES.get(first, first)
            last = [w for w in name.split(" ") if not w.isdigit()][-1]
            candidate = f"{nick} {last[0]}." if rng.random() < 0.7 else nick
            if candidate.lower() not in taken:
                taken.add(candidate.lower())
                alias = candidate
        folder = "People" if rng.random() < 0.7 else f"People/{rng.choice(SUBFOLDERS)}"
        people.append(_Person(name, folder, alias, rank))
    return people


def _shaped_people(people: list[_Person], shape: Shape, rng: random.Random) -> list[_Person]:
    """With `first_name_aliases`, that share of people answer to their bare first name,
    shared with every other person of that first name (as in a real address book)."""
    if not shape.first_name_aliases:
        return people
    out = []
    for p in people:
        if rng.random() < shape.first_name_aliases:
            p = _Person(p.name, p.folder, p.name.split(" ", 1)[0], p.rank)
        out.append(p)
    return out


def _circle(rng: random.Random, rank: int, count: int) -> str | None:
    """The people seen most sit in the closest circles, with some noise, as in life."""
    share = (rank + rng.random() * count * 0.05) / count
    if share < 0.02:
        return "family"
    if share < 0.07:
        return "close"
    if share < 0.3:
        return "friends"
    if share < 0.75:
        return "acquaintances"
    return None


def _day(rng: random.Random, back: int) -> dt.date:
    """A day up to `back` days before LAST_DAY, biased towards recent days."""
    return LAST_DAY - dt.timedelta(days=int(back * rng.random() ** 2))


def _flags(rng: random.Random) -> str:
    """Most lines carry no tag; opening up is mostly mutual, and one-sided runs are rare.

    A `#shared #heard` line resets both ledgers, as a real two-way talk does, so only a
    few people build up the run of one-sided tags that `share` and `listen` look for.
    """
    r = rng.random()
    if r < 0.85:
        return ""
    if r < 0.90:
        return " #shared #heard #deep"
    if r < 0.94:
        return " #shared #heard"
    if r < 0.96:
        return " #deep"
    if r < 0.97:
        return " #heard" if r < 0.965 else " #shared"
    if r < 0.98:
        return " #heard #deep" if r < 0.975 else " #shared #deep"
    return " #win"


def _ylist(rng: random.Random, key: str, items: Sequence[str]) -> str:
    """A YAML list as Obsidian's Properties writes it (block) or as people type it (flow)."""
    if rng.random() < 0.5:
        return f"{key}: [{', '.join(items)}]\n"
    return f"{key}:\n" + "".join(f"  - {item}\n" for item in items)


def _frontmatter(
    rng: random.Random,
    p: _Person,
    circle: str | None,
    people: list[_Person],
    shape: Shape = DEFAULT_SHAPE,
    srng: random.Random | None = None,
    rrng: random.Random | None = None,
) -> tuple[str, int]:
    """The frontmatter block, and the person's cadence in days (for their log)."""
    cadence = CIRCLE_DAYS.get(circle or "", DEFAULT_CADENCE)
    word = None
    if srng is not None and shape.cadence_words and srng.random() < shape.cadence_words:
        word = srng.choice(tuple(CADENCE_WORDS))
    out = ["---\n"]
    if rng.random() < 0.1:
        out.append("# imported from Contacts\n")
    if p.alias:
        out.append(_ylist(rng, "aliases", [p.alias]))
    out.append(_ylist(rng, "tags", rng.sample(TAGS, rng.randint(0, 3))))
    if circle:
        comment = "   # saw them weekly at uni" if rng.random() < 0.1 else ""
        out.append(f"circle: {circle}{comment}\n")
    if rng.random() < 0.15:
        written = rng.choice(tuple(CADENCES))
        cadence = CADENCES[written]
        if word is None:
            out.append(f"cadence: {written}\n")
    if word is not None:
        cadence = CADENCE_WORDS[word]
        out.append(f"{'frequency' if len(word) % 2 else 'cadence'}: {word}\n")
    pronouns = rng.choice(PRONOUNS)
    out.append(f"pronouns: {pronouns}\n")
    r = rng.random()
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    if r < 0.005:
        out.append("birthday: 1992-02-29\n")
    elif r < 0.55:
        out.append(f"birthday: {rng.randint(1950, 2015)}-{month:02d}-{day:02d}\n")
    elif r < 0.7:
        out.append(f"birthday: --{month:02d}-{day:02d}\n")
    elif r < 0.8:
        out.append(f'birthday: "{month:02d}-{day:02d}"\n')
    if rng.random() < 0.2:
        label = rng.choice(DATE_LABELS)
        when = f"{rng.randint(1990, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if rng.random() < 0.5:
            out.append(f"dates: {{{label}: {when}}}\n")
        else:
            out.append(f"dates:\n  {label}: {when}\n")
    if rng.random() < 0.05:
        out.append(f"snooze_until: {LAST_DAY + dt.timedelta(days=rng.randint(-60, 90))}\n")
    out.append(_ylist(rng, "likes", rng.sample(LIKES, rng.randint(1, 4))))
    if rng.random() < 0.15:
        out.append(f"boundaries: {rng.choice(BOUNDARIES)}\n")
    out.append(f"company: {rng.choice(COMPANIES)}\n")
    out.append(f"role: {rng.choice(ROLES)}\n")
    out.append(f"city: {rng.choice(CITIES)}\n")
    out.append(f"timezone: {rng.choice(TIMEZONES)}\n")
    out.append(_ylist(rng, "languages", rng.sample(LANGUAGES, rng.randint(1, 3))))
    if rng.random() < 0.5:
        out.append(f"kids: {rng.randint(0, 3)}\n")
    if rng.random() < 0.5:
        out.append(f"gift_budget: {rng.choice((20, 30, 50, 100))}\n")
    out.append(f"met: {rng.choice(MET)}, {rng.randint(1995, 2025)}\n")
    handle = p.name.lower().replace(" ", ".").replace("'", "")
    out.append(f"email: {handle}@example.com\n")
    out.append(f'phone: "+49 30 {rng.randint(1000000, 9999999)}"\n')
    if rng.random() < 0.3:
        out.append(f"website: https://example.org/{handle}\n")
    if rng.random() < 0.4:
        others = [people[rng.randrange(len(people))] for _ in range(rng.randint(1, 2))]
        links = [f'"[[{other.name}]]"' for other in others]
        out.append(f"related: [{', '.join(links)}]\n")
    if rrng is not None and shape.relations and rrng.random() < shape.relations:
        out.append(_relations(rrng, p, people))
    created = _day(rng, 3000)
    out.append(f"created: {created}T{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:00\n")
    out.append(f"updated: {_day(rng, 200)}T{rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:00\n")
    out.append("---\n")
    return "".join(out), cadence


#: Names of people around someone who have no note (no person is called so): a plain
#: name resolves to a person when it is exactly their name or alias.
PARTNER_NAMES = ("Robin", "Alexis", "Jordan", "Morgan", "Charlie", "Jamie", "Casey", "Riley")
CHILD_NAMES = ("Ivy", "Otto", "Juno", "Milo", "Nell", "Rafe", "Wren", "Cleo", "Arlo", "Edie")


def _relations(rrng: random.Random, p: _Person, people: list[_Person]) -> str:
    """The people around someone, in the forms of docs/format.md: a partner linked to
    another person of the vault (their pair, so two notes never disagree) or named
    plainly, children as mappings with birthdays, now and then a colleague under
    `relations`."""
    out = []
    pair = p.rank ^ 1  # one pair: both notes link each other, or neither
    if pair < len(people) and (p.rank // 2) % 10 < 7:
        out.append(f'partner: "[[{people[pair].name}]]"\n')
    else:
        out.append(f"partner: {rrng.choice(PARTNER_NAMES)}\n")
    if rrng.random() < 0.5:
        out.append("children:\n")
        for _ in range(rrng.randint(1, 3)):
            born = f"{rrng.randint(2005, 2024)}-{rrng.randint(1, 12):02d}-{rrng.randint(1, 28):02d}"
            out.append(f"  - {{name: {rrng.choice(CHILD_NAMES)}, birthday: {born}}}\n")
    if rrng.random() < 0.2 and len(people) > 4:
        colleague = people[(p.rank + 2) % len(people)]
        out.append(f'relations: {{colleague: "[[{colleague.name}]]"}}\n')
    return "".join(out)


def _log_days(
    rng: random.Random, cadence: int, count: int, due_share: float = OVERDUE_SHARE
) -> list[dt.date]:
    """`count` contact days, latest first: the last mostly within `cadence` of the run's
    `--today` (a `due_share` of people are overdue), earlier ones about a cadence apart."""
    today = LAST_DAY + dt.timedelta(days=1)
    if rng.random() < due_share:
        back = cadence + int(cadence * 2 * rng.random())
    else:
        back = 1 + int((cadence - 1) * rng.random())
    days = [today - dt.timedelta(days=back)]
    for _ in range(count - 1):
        back += 1 + int(rng.expovariate(1 / cadence))
        days.append(today - dt.timedelta(days=min(back, 9000)))
    return days


def _task(rng: random.Random, due: dt.date, done: bool) -> str:
    """A task line, dated up front or in the Tasks plugin's `📅` form."""
    box = "x" if done else " "
    if rng.random() < 0.6:
        return f"- [{box}] {due} {rng.choice(TASKS)}\n"
    return f"- [{box}] {rng.choice(TASKS)} 📅 {due}\n"


def _person_body(
    rng: random.Random, p: _Person, cadence: int, due_share: float = OVERDUE_SHARE
) -> str:
    out = []
    if rng.random() < 0.3:
        out.append(f"# {p.name}\n\n")
    out.append(" ".join(rng.sample(FREE_TEXT, 3)) + "\n")
    out.append(" ".join(rng.sample(FREE_TEXT, 2)) + "\n\n")
    out.append("## Work\n")
    out.append(f"{rng.choice(FREE_TEXT)}\n\n## Log\n")
    for day in _log_days(rng, cadence, rng.randint(8, 14), due_share):
        bullet = rng.choice("-----*+")
        when = f"[[{day}]]" if rng.random() < 0.1 else str(day)
        out.append(f"{bullet} {when} {rng.choice(ACTIVITIES)}. {rng.choice(TOPICS)}{_flags(rng)}\n")
    out.append("\n## Follow-ups\n")
    # Old tasks were done (a few were forgotten); open ones are recent or upcoming.
    for _ in range(rng.randint(1, 2)):
        due = LAST_DAY - dt.timedelta(days=rng.randint(20, 700))
        out.append(_task(rng, due, done=rng.random() < 0.997))
    if rng.random() < 0.045:
        out.append(_task(rng, LAST_DAY + dt.timedelta(days=rng.randint(-20, 60)), done=False))
    out.append("\n## Notes\n")
    out.append(f"- Partner: {rng.choice(FIRST_NAMES)}\n")
    out.append(f"- Kids: {rng.randint(0, 3)}\n")
    out.append(f"- Gift ideas: {rng.choice(LIKES)}, {rng.choice(LIKES)}\n")
    out.append(f"- {rng.choice(FREE_TEXT)}\n")
    return "".join(out)


def _link(rng: random.Random, p: _Person) -> str:
    """One of the link forms of docs/format.md, chosen the way people actually mix them."""
    r = rng.random()
    if r < 0.55:
        return f"[[{p.name}]]"
    if r < 0.7:
        return f"[[{p.name}|{p.name.split(' ')[0]}]]"
    if r < 0.78:
        return f"[[{p.folder}/{p.name}]]"
    if r < 0.84:
        return f"[[{p.name}#Work]]"
    if r < 0.92 and p.alias:
        return f"[[{p.alias}]]"
    return f"[[{p.name.lower()}]]"


def _pick(rng: random.Random, people: list[_Person]) -> _Person:
    """Few people get most mentions (rank 0 most of all)."""
    return people[int(len(people) * rng.random() ** 3)]


def _daily(rng: random.Random, day: dt.date, people: list[_Person]) -> str:
    out = []
    if rng.random() < 0.3:
        weather = rng.choice(("rain", "sun", "snow"))
        out.append(f"---\nmood: {rng.randint(1, 10)}\nweather: {weather}\n---\n")
    if rng.random() < 0.5:
        # Names spelt out: strftime's %A and %B follow the locale, and bytes must not.
        out.append(f"# {WEEKDAYS[day.weekday()]}, {day.day} {MONTHS[day.month - 1]} {day.year}\n\n")
    out.append(f"{rng.choice(DAILY_FREE)}\n\n")
    met: list[_Person] = []
    for _ in range(rng.randint(1, 3)):
        p = _pick(rng, people)
        if p not in met:
            met.append(p)
    i = 0
    while i < len(met):
        who = _link(rng, met[i])
        if i + 1 < len(met) and rng.random() < 0.2:  # two people on one line
            i += 1
            who += f" and {_link(rng, met[i])}"
        if i == 0 or rng.random() < 0.8:
            out.append(f"- {rng.choice(DAILY_ACTS)} {who}. {rng.choice(TOPICS)}{_flags(rng)}\n")
        else:
            # Tasks in older notes were done long ago, bar the odd forgotten one.
            recent = (LAST_DAY - day).days < 30
            box = " " if rng.random() < (0.6 if recent else 0.003) else "x"
            if rng.random() < 0.5:
                out.append(f"- [{box}] {rng.choice(TASKS)} for {who}\n")
            else:
                due = day + dt.timedelta(days=rng.randint(1, 30))
                out.append(f"- [{box}] {due} {rng.choice(TASKS)} ({who})\n")
        i += 1
    if rng.random() < 0.4:
        out.append(f"- {rng.choice(DAILY_FREE)}\n")
    return "".join(out)


def _padding(srng: random.Random, size: int, kb: int) -> str:
    """Free-text paragraphs that bring a note of `size` bytes to about `kb` KB."""
    out = ["\n## Journal\n"]
    have = size
    while have < kb * 1024:
        para = " ".join(srng.choice(FREE_TEXT) for _ in range(8)) + "\n\n"
        out.append(para)
        have += len(para.encode("utf-8"))
    return "".join(out)


def _meeting(srng: random.Random, n: int, people: list[_Person]) -> tuple[str, str]:
    """(file name, text) of a meeting note: people linked from its frontmatter."""
    day = _day(srng, 700)
    who = {_pick(srng, people).name for _ in range(srng.randint(1, 3))}
    links = ", ".join(f'"[[{name}]]"' for name in sorted(who))
    tags = srng.choice(("[]", "[shared]", "[heard]", "[shared, heard]", "[deep]"))
    title = f"{day} {srng.choice(DAILY_ACTS).split()[0]} {n}"
    text = (
        f'---\ncategories:\n  - "[[Meetings]]"\ndate: {day}\npeople: [{links}]\n'
        f"tags: {tags}\n---\n- {srng.choice(TOPICS)}\n- {srng.choice(FREE_TEXT)}\n"
    )
    return f"{title}.md", text


def generate(
    out: Path, people: int, daily: int, seed: int, shape: Shape = DEFAULT_SHAPE
) -> None:
    """Write the vault into `out` (created; must be empty or absent), deterministically."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty")
    rng = random.Random(seed)
    srng = random.Random(seed + 1_000_003)  # the shape's own stream
    rrng = random.Random(seed + 2_000_003)  # the relations' own stream
    persons = _shaped_people(_unique_people(rng, people), shape, srng)
    (out / ".obsidian").mkdir(parents=True, exist_ok=True)
    settings = {"folder": "Journal", "format": "YYYY-MM-DD", "template": ""}
    (out / ".obsidian" / "daily-notes.json").write_text(json.dumps(settings, indent=2) + "\n")
    made: set[str] = set()
    for p in persons:
        if p.folder not in made:
            (out / p.folder).mkdir(parents=True, exist_ok=True)
            made.add(p.folder)
        circle = _circle(rng, p.rank, people)
        head, cadence = _frontmatter(rng, p, circle, persons, shape, srng, rrng)
        text = head + _person_body(rng, p, cadence, shape.due_share)
        if shape.note_kb:
            text += _padding(srng, len(text.encode("utf-8")), shape.note_kb)
        with open(out / p.folder / f"{p.name}.md", "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    journal = out / "Journal"
    journal.mkdir(exist_ok=True)
    for back in range(daily):
        day = LAST_DAY - dt.timedelta(days=back)
        text = _daily(rng, day, persons) if persons else f"{rng.choice(DAILY_FREE)}\n"
        with open(journal / f"{day}.md", "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
    if shape.meetings and persons:
        notes = out / "Notes"
        notes.mkdir(exist_ok=True)
        for n in range(round(shape.meetings * len(persons))):
            name, text = _meeting(srng, n, persons)
            with open(notes / name, "w", encoding="utf-8", newline="\n") as f:
                f.write(text)


def shape_from(args: argparse.Namespace) -> Shape:
    """`--shape` and the knobs given on the command line (knobs win over the shape)."""
    base = SHAPES[args.shape]
    knobs = {
        name: getattr(args, name)
        for name in (
            "note_kb", "first_name_aliases", "cadence_words", "due_share", "meetings", "relations",
        )  # fmt: skip
        if getattr(args, name, None) is not None
    }
    return Shape(**{**base.__dict__, **knobs})


def add_shape_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--note-kb", type=int, help="pad person notes to about this many KB")
    ap.add_argument("--first-name-aliases", type=float, metavar="SHARE",
                    help="share of people aliased by their bare first name (0-1)")
    ap.add_argument("--cadence-words", type=float, metavar="SHARE",
                    help="share of people whose cadence is a word, e.g. quarterly (0-1)")
    ap.add_argument("--due-share", type=float, metavar="SHARE",
                    help=f"share of people overdue (default shape: {OVERDUE_SHARE})")
    ap.add_argument("--meetings", type=float, metavar="PER_PERSON",
                    help="meeting notes to write in Notes/, per person (heavy shape: 0.5)")
    ap.add_argument("--relations", type=float, metavar="SHARE",
                    help="share of people whose note names people around them (0-1)")


def person_names(people: int, seed: int) -> list[str]:
    """The person names `generate` uses for these arguments, most-mentioned first."""
    return [p.name for p in _unique_people(random.Random(seed), people)]


def person_files(people: int, seed: int) -> list[str]:
    """Vault-relative paths of the person notes `generate` writes, most-mentioned first."""
    return [f"{p.folder}/{p.name}.md" for p in _unique_people(random.Random(seed), people)]


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path, help="folder to create (must be empty or absent)")
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--daily", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--shape", choices=sorted(SHAPES), default="default",
                    help="default: the classic vault; heavy: ~100 MB of notes (see README)")
    add_shape_arguments(ap)
    args = ap.parse_args(argv)
    generate(args.out, args.people, args.daily, args.seed, shape_from(args))


if __name__ == "__main__":
    main()
