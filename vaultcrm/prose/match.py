"""One interaction line (and whom it is about) → the flags its prose reads as.

`read_line("She told me her parents are splitting up.", About(("Priya Shah", "Priya")))`
gives `(Evidence("heard", "She told me … splitting up", 0.8),)`: the flag, the words
that made it so, and how sure the rule is. The rules are data (`prose.english`); this
module only applies them, so it knows no English word of its own beyond the pronouns
that name a subject.

How a line is read, keeping every offset of the original text (so `because` quotes the
user's own words):

1. A line carrying a flag tag or the `#noflag` tag is not read at all: the user decided.
2. Links and names are masked: the person (a link to them, their name, an alias, their
   first name) becomes a run of `\\x01`, other people linked on the line a run of
   `\\x02`, other links their bare text; tags become blanks.
3. The line is cut into sentences; a question is skipped ("Kenji got the job?").
4. Each rule is tried in the lower-cased line: a rule that starts with a subject only
   where a subject can start (the person, she/he/they, I, a sentence or a clause), the
   others everywhere. A match is refused when it spans two sentences, when its clause
   has a negation or an intention before it, or when its rule needs a topic or a
   feeling that the rest of its sentence lacks or that is about somebody else.

Pure and deterministic: the same text and `About` always give the same evidence.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType

from vaultcrm.prose import english

#: The flags, in the order suggestions list them (as `model.FLAGS`).
FLAG_ORDER: tuple[str, ...] = ("shared", "heard", "deep", "win")

ME = "\x01"
OTHER = "\x02"


@dataclass(frozen=True)
class About:
    """Whom a line is about: their name and aliases (the first name of a name of two
    words or more counts too), and the names of other people the line links."""

    names: tuple[str, ...]
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """One flag a line reads as: the words that made it so, and the rule's confidence."""

    flag: str
    because: str
    confidence: float


# -- the rules, compiled once per rules module ---------------------------------------------

#: Where a rule that starts with a slot may start: the slot's own start positions.
_LEADS = {"them": "person", "they": "person", "who": "person", "i": "i", "we": "we"}


@dataclass(frozen=True)
class _Rule:
    flag: str
    confidence: float
    pattern: re.Pattern[str]
    needs: str  # "", "topic", "feeling" or "either"
    lead: str  # "person", "i", "we": tried only where such a subject starts; "": anywhere


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[_Rule, ...]
    negation: re.Pattern[str]
    topic: re.Pattern[str]
    feeling: re.Pattern[str]
    third_party: re.Pattern[str]
    family: re.Pattern[str]
    others_doubt: float
    family_doubt: float


_ADVERB = (
    r"(?:finally|eventually|actually|just|also|even|really|officially|already|now"
    r"|recently|then)"
)
_ADVERBS = rf"(?:\s+{_ADVERB})*"
_SEP = r"(?:\s+|(?='))"  # a slot and the next word: a blank, or none before "'s"
_PERSON = rf"(?:{ME}+|\b(?:she|he|they)\b)"


def _slots(words: dict[str, tuple[str, ...]], phrases: dict[str, str]) -> dict[str, str]:
    thing = "|".join(words["thing"])
    return {
        **phrases,
        "them": _PERSON + _ADVERBS,
        "they": _PERSON,
        "who": rf"{_PERSON}(?:'s (?:{thing}))?(?: (?:and|&) (?:{OTHER}+|[\w-]+))?{_ADVERBS}",
        "obj": rf"(?:{ME}+|\b(?:her|him|them)\b)",
        # "I", or (tried only at the start of a sentence or clause) the verb itself, as
        # notes say it: "Told Ben how low I've been"
        "i": rf"(?:\bi\s+|\s*)(?:{_ADVERB}\s+)*",
        "we": rf"(?:\bwe\b|{ME}+ (?:and|&) (?:i|me)\b|\b(?:i|me) (?:and|&) {ME}+|\bboth of us\b)",
    }


_SLOT = re.compile(r"\{([a-z_]+)\}( ?)")
_PEOPLE_SLOTS = frozenset({"them", "they", "who", "obj", "i", "we"})


def _expand(pattern: str, slots: dict[str, str]) -> str:
    """`{them} confided` → the person's slot, a separator, `confided`: a slot of people
    followed by a space takes any blank, or none before an apostrophe ("she's",
    "Ben's"); `{i}` brings its own."""

    def one(m: re.Match[str]) -> str:
        name, space = m.group(1), m.group(2)
        if not space or name not in _PEOPLE_SLOTS:
            return slots[name] + space
        return slots[name] + ("" if name == "i" else _SEP)

    return _SLOT.sub(one, pattern)


def _words(items: Iterable[str]) -> str:
    return r"(?<![\w'])(?:" + "|".join(items) + r")(?![\w])"


@functools.cache
def compiled(rules: ModuleType = english) -> _Compiled:
    """The rules of one language module, compiled (once per process)."""
    words: dict[str, tuple[str, ...]] = rules.WORDS
    slots = _slots(words, getattr(rules, "PHRASES", {}))
    found: list[_Rule] = []
    for flag, entries in rules.RULES.items():
        for entry in entries:
            confidence, pattern = entry[0], entry[1]
            needs = str(entry[2]) if len(entry) > 2 else ""
            first = _SLOT.match(pattern)
            lead = _LEADS.get(first.group(1), "") if first else ""
            # searched in lower-case text (the data is lower case)
            regex = re.compile(_expand(pattern, slots))
            found.append(_Rule(flag, confidence, regex, needs, lead))
    # the surest rules first: once one holds for a flag, weaker ones need not be tried
    found.sort(key=lambda r: -r.confidence)
    lead = r"^[\s,]*(?:(?:that|about|how|everything|all|me|to me|the fact that)\s+)*"
    relation = "|".join(words["relation"])
    close = "|".join(words["close"])
    third_party = (
        lead + rf"(?:{OTHER}"
        rf"|(?:her|his|their|my|our|a|an|the|some|one of (?:her|his|their|my))\s+"
        rf"(?:[\w-]+\s+)?(?:{relation})(?:'s|s)?\b)"
    )
    return _Compiled(
        rules=tuple(found),
        negation=re.compile(_words(words["negation"]) + r"|n't\b|'ll\b"),
        topic=re.compile(_words(words["topic"])),
        feeling=re.compile(_words(words["feeling"])),
        third_party=re.compile(third_party),
        family=re.compile(lead + rf"(?:her|his|their|my)\s+(?:{close})(?:'s)?\b"),
        others_doubt=rules.PRONOUN_DOUBT,
        family_doubt=rules.FAMILY_DOUBT,
    )


def default_confidence(rules: ModuleType = english) -> float:
    """The confidence `flags apply` and `infer_flags` use unless told otherwise."""
    return float(rules.DEFAULT_CONFIDENCE)


# -- masking: links, tags and names, offsets kept ----------------------------------------------

_LINK = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
_TAG = re.compile(r"(?<![\w&/#])#([\w/-]*[^\W\d][\w/-]*)")
_PRONOUNS = frozenset({"i", "me", "we", "she", "he", "they", "her", "him", "them", "us"})


def _target(inner: str) -> str:
    target = inner.partition("|")[0].partition("#")[0].strip()
    target = target.rsplit("/", 1)[-1]
    return target[:-3] if target.lower().endswith(".md") else target


def _variants(names: Iterable[str]) -> list[str]:
    """Names, aliases and first names as they may be written (casefolded), longest first."""
    out: set[str] = set()
    for name in names:
        name = " ".join(name.split())
        if len(name) < 2 or name.casefold() in _PRONOUNS:
            continue
        out.add(name.casefold())
        first = name.split(" ")[0]
        if first != name and len(first) >= 2 and first.casefold() not in _PRONOUNS:
            out.add(first.casefold())
    return sorted(out, key=lambda n: (-len(n), n))


@functools.lru_cache(maxsize=4096)
def _name_pattern(names: tuple[str, ...]) -> tuple[re.Pattern[str] | None, frozenset[str]]:
    """The names as words in a line, and as link targets (casefolded)."""
    variants = _variants(names)
    targets = frozenset({n.casefold() for n in names} | set(variants))
    if not variants:
        return None, targets
    alternatives = "|".join(re.escape(v) for v in variants)
    words = re.compile(rf"(?<![\w\x01\x02])(?:{alternatives})(?![\w\x01\x02])", re.IGNORECASE)
    return words, targets


def _fill(chars: list[str], start: int, end: int, mark: str) -> None:
    chars[start:end] = mark * (end - start)


def plain_quotes(text: str) -> str:
    """Curly apostrophes as straight ones (one character each: offsets are kept)."""
    return text.replace("\u2019", "'").replace("\u2018", "'")


def mask(text: str, about: About) -> tuple[str, list[str]]:
    """The line with the person and other people masked and tags blanked (same length),
    and the line's tags (lower-cased, without `#`)."""
    text = plain_quotes(text)
    mine_words, mine = _name_pattern(about.names)
    theirs_words, theirs = _name_pattern(about.others)
    chars = list(text)
    if "[[" in text:
        for m in _LINK.finditer(text):
            target = _target(m.group(1)).casefold()
            if target in mine:
                _fill(chars, m.start(), m.end(), ME)
            elif target in theirs:
                _fill(chars, m.start(), m.end(), OTHER)
            else:  # a place, a book: its text, as the reader sees it
                inner = m.group(1)
                shown = inner.rpartition("|")[2] if "|" in inner else inner
                _fill(chars, m.start(), m.end(), " ")
                at = m.end() - 2 - len(shown)
                chars[at : at + len(shown)] = shown
    tags = []
    if "#" in text:
        for m in _TAG.finditer(text):
            tags.append(m.group(1).lower())
            _fill(chars, m.start(), m.end(), " ")
    masked = "".join(chars)
    for words, mark in ((mine_words, ME), (theirs_words, OTHER)):
        if words is None:
            continue
        found = list(words.finditer(masked))
        if found:
            chars = list(masked)
            for m in found:
                _fill(chars, m.start(), m.end(), mark)
            masked = "".join(chars)
    return masked, tags


# -- reading --------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?;…])\s+|\s+[—–]\s+|\s+--?\s+|\n")
_QUESTION = re.compile(r"\?[!?.)\"'\s]*$")
_CLAUSE = re.compile(r"[,;:(—–]|\bbut\b")
_CLAUSE_START = re.compile(r"[,;:(]\s*")
_LINK_TEXT = re.compile(r"!?\[\[([^\[\]\n]+?)\]\]")
_LEADING = re.compile(r"^(?:[\s,;:(]|and\s|then\s)+", re.IGNORECASE)
_STARTS = {
    "person": re.compile(rf"{ME}+|\b(?:she|he|they)\b"),
    "i": re.compile(r"\bi\s"),
    "we": re.compile(rf"\bwe\b|{ME}+ (?:and|&)|\b(?:i|me) (?:and|&) {ME}|\bboth of us\b"),
}


@dataclass(frozen=True)
class _Line:
    """A line as the rules see it: lower-cased and masked, its original words, its
    sentences (start, end, is a question), and where subjects start, found when asked."""

    lower: str
    original: str
    sentences: tuple[tuple[int, int, bool], ...]

    @functools.cached_property
    def starts(self) -> dict[str, tuple[int, ...]]:
        found = {
            kind: tuple(dict.fromkeys(m.start() for m in pattern.finditer(self.lower)))
            for kind, pattern in _STARTS.items()
        }
        # a sentence or a clause may start with the verb: "Told Ben how low I've been"
        bare = [start for start, _, _ in self.sentences]
        bare += [m.end() for m in _CLAUSE_START.finditer(self.lower)]
        found["i"] = tuple(sorted({*found["i"], *bare}))
        return found

    def sentence_of(self, start: int, end: int) -> tuple[int, int] | None:
        """The sentence holding a match, or None when it spans two or is a question."""
        for first, last, question in self.sentences:
            if first <= start < last:
                return None if question or end > last else (first, last)
        return None


def _sentences(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def _matches(rule: _Rule, line: _Line) -> Iterator[re.Match[str]]:
    if not rule.lead:
        yield from rule.pattern.finditer(line.lower)
        return
    for at in line.starts[rule.lead]:
        m = rule.pattern.match(line.lower, at)
        if m is not None:
            yield m


def read_line(
    text: str,
    about: About,
    *,
    skip_tags: Collection[str] = (),
    rules: ModuleType = english,
) -> tuple[Evidence, ...]:
    """The flags `text` reads as for the person `about` names, best evidence per flag,
    in FLAG_ORDER; nothing when the line carries one of `skip_tags` (its flag tags and
    the no-flag tag, lower-cased)."""
    c = compiled(rules)
    masked, tags = mask(text, about)
    if skip_tags and any(tag in skip_tags for tag in tags):
        return ()
    lower = masked.lower()
    if len(lower) != len(masked):  # a letter whose lower case is longer ("İ"): unread
        return ()
    sentences = tuple(
        (start, end, _QUESTION.search(masked, start, end) is not None)
        for start, end in _sentences(masked)
    )
    line = _Line(lower, plain_quotes(text), sentences)
    best: dict[str, Evidence] = {}
    for rule in c.rules:
        held = best.get(rule.flag)
        if held is not None and held.confidence >= rule.confidence:
            continue  # this rule cannot do better
        for m in _matches(rule, line):
            found = _evidence(c, rule, m, line, about)
            if found is not None:
                if held is None or found.confidence > held.confidence:
                    best[rule.flag] = found
                break
    return tuple(best[flag] for flag in FLAG_ORDER if flag in best)


def _evidence(
    c: _Compiled, rule: _Rule, m: re.Match[str], line: _Line, about: About
) -> Evidence | None:
    """A match of `rule`, judged within its sentence: the evidence, or None."""
    span = line.sentence_of(m.start(), m.end())
    if span is None:
        return None
    first, last = span
    sentence, source = line.lower[first:last], line.original[first:last]
    at, end = m.start() - first, m.end() - first
    if _negated(c, sentence, at):
        return None
    if rule.lead == "i" and _subject_carried(sentence, at, m.group(0)):
        return None
    confidence = rule.confidence
    because = _shown(source[at:end])
    if rule.needs:
        got = _complement(c, sentence[end:], source[end:], rule.needs)
        if got is None:
            return None
        word, family = got
        if family:
            confidence -= c.family_doubt
        if word.casefold() not in because.casefold():
            because = f"{because} … {word}"
    if about.others and ME not in m.group(0):
        confidence -= c.others_doubt  # "she", on a line with somebody else: who is she?
    return Evidence(rule.flag, because, round(confidence, 2))


def _shown(raw: str) -> str:
    """Quoted words as a person reads them: a link as its text, blanks collapsed."""
    raw = _LINK_TEXT.sub(lambda m: m.group(1).rpartition("|")[2] if "|" in m.group(1)
                         else _target(m.group(1)), raw)  # fmt: skip
    return " ".join(_LEADING.sub("", raw).split()).rstrip(" ,;:")


def _negated(c: _Compiled, sentence: str, at: int) -> bool:
    """A negation or an intention between the start of the match's clause and the match."""
    start = 0
    for m in _CLAUSE.finditer(sentence, 0, at):
        start = m.end()
    return c.negation.search(sentence, start, at) is not None


_I_SUBJECT = re.compile(r"\s*i\b")
_THIRD_PERSON = re.compile(rf"{ME}|\b(?:she|he|they)\b")


def _subject_carried(sentence: str, at: int, matched: str) -> bool:
    """A verb without "I" after a clause whose subject is the person ("Ben came over,
    opened up about his dad") is theirs, not yours."""
    if _I_SUBJECT.match(matched) is not None:
        return False
    return _THIRD_PERSON.search(sentence, 0, at) is not None


_MEDIA = re.compile(
    r"\b(?:film|movie|book|show|series|podcast|documentary|article|play|song|novel|lecture"
    r"|episode|story|news)s? (?:about|on)\b"
)
_NOTHING = re.compile(r"^[\s,]*(?:(?:that|about)\s+)*(?:nothing|not|little|none|no)\b")


def _complement(c: _Compiled, rest: str, original: str, needs: str) -> tuple[str, bool] | None:
    """What the rest of the sentence gives a rule that needs a topic or a feeling: the
    words found and whether they are about close family (a little less sure), or None
    when it lacks them or is about somebody else."""
    if c.third_party.match(rest) or _NOTHING.match(rest) or _named_other(rest, original):
        return None
    if _MEDIA.search(rest) is not None:
        return None  # "the plot of a film about grief" is a film
    family = c.family.match(rest) is not None
    wanted = {"topic": (c.topic,), "feeling": (c.feeling,), "either": (c.topic, c.feeling)}
    # her dad's cold is not her opening up: about family, only a topic will do
    for pattern in (c.topic,) if family else wanted[needs]:
        m = pattern.search(rest)
        if m is not None:
            return original[m.start() : m.end()], family
    return None


_LEAD_WORDS = re.compile(r"^[\s,]*(?:(?:that|about|how|everything|all|me|to me)\s+)*")
_CAPITAL = re.compile(r"([A-Z][\w-]*)(?:'s)?\b")
_FAMILY_WORDS = frozenset(
    {"mum", "mom", "mother", "dad", "father", "mama", "papa", "gran", "grandma", "grandad",
     "grandpa", "nan", "nana"}
)  # fmt: skip
_I_WORDS = frozenset({"i", "i'm", "i've", "i'd", "i'll"})


def _named_other(rest: str, original: str) -> bool:
    """The rest starts with somebody else's name ("…told me that Tom's sister…"): any
    capitalised word but I, or a word of family ("Dad's drinking" is yours)."""
    lead = _LEAD_WORDS.match(rest)
    at = lead.end() if lead else 0
    if rest[at : at + 1] in (ME, OTHER):
        return False
    m = _CAPITAL.match(original, at)
    if m is None:
        return False
    word = m.group(1).casefold()
    return word not in _I_WORDS and word not in _FAMILY_WORDS


def flags_at(evidence: Sequence[Evidence], at_least: float) -> tuple[Evidence, ...]:
    """The evidence at or above a confidence."""
    return tuple(e for e in evidence if e.confidence >= at_least - 1e-9)
