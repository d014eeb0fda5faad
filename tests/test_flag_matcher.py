"""The matcher on single lines: what it reads, and every trap it must know.

These pin behaviour a user relies on (the words quoted, the traps refused); the figures
over the whole labelled set are in tests/test_flag_rules.py.
"""

from __future__ import annotations

import pytest

from vaultcrm.prose.match import About, Evidence, flags_at, mask, read_line

BEN = About(("Ben Okafor", "Ben"))
SKIP = {"shared", "heard", "deep", "win", "noflag"}


def flags(text: str, about: About = BEN, at_least: float = 0.8) -> set[str]:
    return {e.flag for e in flags_at(read_line(text, about, skip_tags=SKIP), at_least)}


def test_she_told_me_quotes_the_words_that_made_it_so() -> None:
    found = read_line("Coffee at Fernhill. She told me her parents are splitting up.", BEN)
    assert found == (Evidence("heard", "She told me … splitting up", 0.8),)


def test_a_link_is_quoted_as_its_text() -> None:
    found = read_line("[[People/Ben Okafor|Benny]] confided in me about the debts", BEN)
    assert found == (Evidence("heard", "Benny confided", 0.95),)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("I told him about my imposter syndrome.", {"shared"}),
        ("Told Ben how low I've been since the summer.", {"shared"}),  # no "I": a note's way
        ("Walk. Opened up to Ben about my dad.", {"shared"}),
        ("Ben confided that he's thinking of leaving Sarah.", {"heard"}),
        ("he admitted he's lonely since the divorce", {"heard"}),
        ("We talked till 2am about his dad.", {"deep"}),
        ("Proper heart-to-heart on the train home.", {"deep"}),
        ("Ben passed his bar exam!", {"win"}),
        ("Ben’s been made partner!", {"win"}),  # a curly apostrophe
        ("Ben and Jo are expecting! Due in April.", {"win"}),
        ("Ben's startup closed its seed round", {"win"}),
        ("She opened up about the miscarriage; we both cried.", {"heard", "deep"}),
        ("He opened up a new café on Main Street.", {"win"}),  # a shop, not a confidence
    ],
)
def test_what_the_rules_catch(text: str, want: set[str]) -> None:
    assert flags(text) == want


@pytest.mark.parametrize(
    "text",
    [
        # negation and intention
        "I didn't tell him about the redundancy rumours.",
        "I never told Ben about the money I lost.",
        "I'll tell Ben about the diagnosis next week.",
        "I was going to tell him about the therapy but chickened out.",
        "Ben didn't open up much, mostly football.",
        "Ben won't talk about his brother.",
        "We didn't have a real conversation, just logistics.",
        "Ben didn't get the promotion. Again.",
        # someone else's news
        "She told me that Tom's sister got engaged.",
        "Ben told me his boss won an award.",
        "He told me his flatmate got engaged.",
        "Ben said his manager got fired lol",
        "Ben's sister passed her driving test.",
        "Told Ben that Marco got the job.",
        # my own success
        "I got promoted today, told Ben first.",
        "I passed my exam, Ben sent flowers.",
        "I got the job. Ben took me out to celebrate.",
        # small talk
        "Ben told me about the new Nolan film.",
        "Chat with Ben about the weather and the weekend.",
        "Ben talked about crypto for an hour.",
        "Ben vented about the trains for 20 min.",
        # a question, a shop, a car, laughter, a parcel, a film
        "Ben got the job? Still waiting to hear.",
        "He broke down on the motorway, the AA took two hours.",
        "We both cried laughing.",
        "She's expecting a parcel from Amazon.",
        "Ben told me the plot of a film about grief.",
        "He told me nothing about the divorce.",
    ],
)
def test_the_traps_read_as_nothing(text: str) -> None:
    assert flags(text) == set()


def test_a_line_that_already_carries_a_flag_is_not_read() -> None:
    assert read_line("Ben told me about his divorce #shared", BEN, skip_tags=SKIP) == ()
    assert read_line("Ben told me about his divorce #Shared", BEN, skip_tags=SKIP) == ()


def test_noflag_keeps_a_line_out() -> None:
    assert read_line("Ben told me about his divorce. #noflag", BEN, skip_tags=SKIP) == ()
    assert read_line("Ben told me about his divorce. #private", BEN, skip_tags=SKIP) != ()


def test_on_a_line_with_two_people_the_named_one_opens_up() -> None:
    line = "Lunch with [[Ann Lee]] and [[Ben Okafor]]. Ann told me about her divorce."
    assert flags(line, About(("Ann Lee",), ("Ben Okafor",))) == {"heard"}
    assert flags(line, About(("Ben Okafor", "Ben"), ("Ann Lee",))) == set()


def test_a_pronoun_on_a_line_with_two_people_is_below_the_default() -> None:
    line = "Lunch with [[Ann Lee]] and [[Ben Okafor]]. She told me about her divorce."
    found = read_line(line, About(("Ann Lee",), ("Ben Okafor",)))
    assert [(e.flag, e.confidence) for e in found] == [("heard", 0.65)]
    assert flags(line, About(("Ann Lee",), ("Ben Okafor",))) == set()


def test_masking_keeps_every_offset() -> None:
    text = "[[Ben Okafor|Ben]] told [[Ann Lee]] about [[Lisbon]] #heard, then Ben left"
    masked, tags = mask(text, About(("Ben Okafor", "Ben"), ("Ann Lee",)))
    assert len(masked) == len(text)
    assert tags == ["heard"]
    assert masked.startswith("\x01" * len("[[Ben Okafor|Ben]]") + " told ")
    assert "\x02" * len("[[Ann Lee]]") in masked
    assert "  Lisbon  " in masked and "#heard" not in masked
    assert masked.endswith("then \x01\x01\x01 left")


def test_the_same_line_always_reads_the_same() -> None:
    line = "Ben told me he's been depressed for months; we talked for hours."
    assert read_line(line, BEN) == read_line(line, BEN)
    assert flags(line) == {"heard", "deep"}
