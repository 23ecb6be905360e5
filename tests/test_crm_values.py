"""What CRM cells mean: won/lost words, footer lines, and which channel an unknown source
is suggested as."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.actuals_cases import CHANNELS
from xl_funnel.io import parse_dates
from xl_funnel.io.crm_values import FALSE_WORDS, TRUE_WORDS, closest_channel, won_value


@pytest.mark.parametrize(
    ("value", "won"),
    [
        ("yes", True),
        ("Ja", True),
        ("OUI", True),
        ("sí", True),
        ("si", True),
        ("wahr", True),
        ("waar", True),
        ("closed_won", True),
        ("Closed-Won", True),
        ("1", True),
        ("1.0", True),
        (1, True),
        (True, True),
        ("x", True),
        ("nein", False),
        ("non", False),
        ("falsch", False),
        ("Closed Lost", False),
        ("0", False),
        ("", False),
        ("  ", False),
        (None, False),
        (False, False),
    ],
)
def test_won_words(value, won):
    assert won_value(value) is won


@pytest.mark.parametrize("value", ["maybe", "2", 2, 0.5, "open", "yess", "Negotiation"])
def test_other_values_are_not_guessed(value):
    assert won_value(value) is None


def test_the_word_lists_do_not_overlap():
    assert not set(TRUE_WORDS) & set(FALSE_WORDS)


@pytest.mark.parametrize(
    ("source", "suggested"),
    [
        ("Direct Traffic", None),  # shares only the qualifier "direct"
        ("Paid Search", None),  # paid ≠ organic search, search ≠ social
        ("Organic Social", None),
        ("Referrals", None),
        ("Offline Sources", None),
        ("Other Campaigns", None),
        ("Email Marketing", "Email nurture"),
        ("E-mail", "Email nurture"),
        ("Webinar", "Webinars"),
        ("webinar series", "Webinars"),
        ("Organic serach", "Organic search"),
        ("Paid Socail", "Paid social"),
        ("Content", "Content syndication"),
    ],
)
def test_channel_suggestions(source, suggested):
    assert closest_channel(source, CHANNELS) == suggested


def test_two_equally_close_channels_suggest_neither():
    assert closest_channel("Email", ["Email nurture", "Email newsletter"]) is None


def test_offsets_convert_to_utc_unless_local():
    values = ["2027-01-31T23:30:00-05:00", "2027-02-01T00:30:00+01:00"]
    assert parse_dates(values, "t") == [
        dt.datetime(2027, 2, 1, 4, 30),
        dt.datetime(2027, 1, 31, 23, 30),
    ]
    assert parse_dates(values, "t", local=True) == [
        dt.datetime(2027, 1, 31, 23, 30),
        dt.datetime(2027, 2, 1, 0, 30),
    ]


def test_docs_list_every_won_word():
    import re
    import unicodedata
    from pathlib import Path

    text = (Path(__file__).parents[1] / "docs" / "data.md").read_text(encoding="utf-8")
    table = text[text.index("| language | won | not won |") :].split("\n\n")[0]
    plain = unicodedata.normalize("NFKD", table.casefold())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    listed = {w.strip(" `") for cell in re.split(r"[|,\n]", plain) for w in [cell] if w.strip()}
    missing = [w for w in (*TRUE_WORDS, *FALSE_WORDS) if w not in listed]
    assert missing == []
