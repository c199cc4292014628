"""The journal format: what coop writes reads back the same, and hledger and ledger agree with coop's balances."""

from __future__ import annotations

import subprocess
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from coop_cli import reports
from coop_cli.errors import BadInput
from coop_cli.journal import append_text, format_entry, parse_journal, signed_bytes
from coop_cli.model import Entry, Posting, check_tag_value, check_text, format_hours, parse_hours
from helpers import hledger_balances, ledger_balances, nonzero

UNIT = "H"


def valid_text(text: str) -> bool:
    try:
        check_text(text, "text")
        return True
    except BadInput:
        return False


journal_characters = st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp"), blacklist_characters=";")
descriptions = st.text(journal_characters, min_size=1, max_size=80).filter(valid_text)
base32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
members = st.sampled_from(["agnes", "bernard", "eve", "jean-paul", "laurent1", "stephanie"])
accounts = st.one_of(members.map(lambda m: f"members:{m}"), st.just("coop"))
quarters = st.integers(min_value=1, max_value=96).map(lambda q: Decimal(q) / 4)
dates = st.dates(min_value=date(2020, 3, 10), max_value=date(2026, 11, 1))


@st.composite
def entries(draw) -> Entry:
    payer, earner = draw(st.lists(accounts, min_size=2, max_size=2, unique=True))
    hours = draw(quarters)
    tags = [("id", draw(st.text(base32, min_size=26, max_size=26))), ("by", draw(members)), ("kind", "exchange")]
    if draw(st.booleans()):
        tags.append(("cat", draw(st.sampled_from(["jardinage", "réparation vélo", "soutien-scolaire", "cuisine"]))))
    sig = draw(st.none() | st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", min_size=20, max_size=90))
    return Entry(draw(dates), draw(descriptions), tuple(tags), (Posting(earner, hours), Posting(payer, -hours)), sig)


@given(st.lists(entries(), min_size=1, max_size=8))
@settings(max_examples=300)
def test_every_entry_coop_writes_reads_back_the_same(written):
    text = append_text("", [format_entry(e, UNIT) for e in written])
    read, problems = parse_journal(text, "x.journal")
    assert problems == []
    assert read == written
    for entry in read:
        assert signed_bytes(entry, UNIT) == signed_bytes(entry.__class__(**{**entry.__dict__, "lines": ()}), UNIT)


@given(st.text(max_size=40))
def test_any_text_either_round_trips_or_is_refused(text):
    try:
        check_text(text, "description")
    except BadInput:
        return
    entry = Entry(date(2026, 3, 10), text, (("id", "X"),), (Posting("coop", Decimal(1)), Posting("members:eve", Decimal(-1))))
    [read], problems = parse_journal(format_entry(entry, UNIT), "x")
    assert problems == [] and read.description == text and read.postings == entry.postings


@given(st.text(max_size=30))
def test_categories_never_split_into_tags(text):
    try:
        check_tag_value(text, "category")
    except BadInput:
        return
    assert "," not in text and ":" not in text and ";" not in text


@pytest.mark.parametrize("text", ["-1", "0", "0:00", "1h60", "1,5,0", "1.5m", "h", "", "1e3", "NaN", "∞", "２", "1 000", "20m", "1h05", "0x10", "1.333", "0.001"])
def test_hours_that_are_not_hours(text):
    with pytest.raises(BadInput):
        parse_hours(text)


@given(st.integers(min_value=0, max_value=999_999), st.integers(min_value=0, max_value=99))
def test_decimal_hours_are_exact(whole, hundredths):
    assume(whole or hundredths)  # zero hours are refused
    assert parse_hours(f"{whole}.{hundredths:02}") == Decimal(whole) + Decimal(hundredths) / 100
    assert parse_hours(f"{whole},{hundredths:02}") == Decimal(whole) + Decimal(hundredths) / 100


@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=59).filter(lambda m: m % 3 == 0))
def test_minutes_that_are_hundredths_are_exact(hours, minutes):
    if hours or minutes:
        assert parse_hours(f"{hours}h{minutes:02}") == parse_hours(f"{hours}:{minutes:02}") == hours + Decimal(minutes) / 60
        assert parse_hours(f"{hours * 60 + minutes}m") * 60 == hours * 60 + minutes


def test_amounts_never_carry_thousands_separators():
    assert format_hours(Decimal("1500")) == "1500.00"
    assert format_hours(Decimal("-0.25")) == "-0.25"


@given(st.lists(entries(), min_size=1, max_size=30))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_hledger_and_ledger_read_coops_balances(tmp_path_factory, written):
    root = tmp_path_factory.mktemp("book")
    (root / "ledger").mkdir()
    by_month: dict[str, list[str]] = {}
    for entry in written:
        by_month.setdefault(f"{entry.date:%Y-%m}", []).append(format_entry(entry, UNIT))
    for month, texts in by_month.items():
        (root / "ledger" / f"{month}.journal").write_text(append_text("", texts))
    ours = nonzero(reports.balances(written))
    assert sum(reports.balances(written).values()) == 0
    assert hledger_balances(root) == ours
    assert ledger_balances(root) == ours


def test_hledger_reads_the_tags(tmp_path):
    entry = Entry(date(2026, 3, 10), "Jardinage", (("id", "01A"), ("by", "agnes"), ("kind", "exchange"), ("cat", "réparation vélo")),
                  (Posting("members:agnes", Decimal(2)), Posting("members:bernard", Decimal(-2))), "U1NIU0lH")
    path = tmp_path / "2026-03.journal"
    path.write_text(format_entry(entry, UNIT))
    done = subprocess.run(["hledger", "-f", str(path), "bal", "--flat", "tag:cat=réparation vélo", "tag:by=agnes", "-O", "csv", "--no-total"],
                          capture_output=True, text=True, check=True)
    assert '"members:agnes","2.00 H"' in done.stdout
    shown = subprocess.run(["ledger", "-f", str(path), "reg", "%cat=réparation vélo"], capture_output=True, text=True, check=True)
    assert "members:agnes" in shown.stdout


def test_ids_are_ulids_that_sort_in_the_order_they_are_made():
    from coop_cli.book import new_id

    ids = [new_id() for _ in range(2000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert all(len(i) == 26 and set(i) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for i in ids)
