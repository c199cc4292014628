"""The journal format: what coop writes reads back the same, anything else is refused at its line, and the fast path
for balances never takes a file the reader refuses. hledger and ledger agree with coop's balances."""

from __future__ import annotations

import re
import subprocess
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from coop_cli import reports
from coop_cli.errors import BadInput
from coop_cli.journal import (
    CATEGORY, PLAIN_DESCRIPTION, ULID, append_text, check_description, format_entry, parse_journal, signed_bytes, summarise_file,
)
from coop_cli.model import Entry, Posting, check_tag_value, check_text, format_hours, parse_hours
from differential import canonical_entries, canonical_journals, journal_texts
from helpers import hledger_balances, ledger_balances, nonzero

UNIT = "H"


def read(text: str, unit: str = UNIT) -> tuple[list[Entry], list[str]]:
    entries, problems = parse_journal(text, "x.journal", unit)
    return entries, [str(p) for p in problems]


# ---------------------------------------------------------------- what coop writes reads back

@given(st.lists(canonical_entries(UNIT), min_size=1, max_size=8))
@settings(max_examples=150)
def test_every_entry_coop_writes_reads_back_the_same(written):
    text = append_text("", [format_entry(e, UNIT) for e in written])
    entries, problems = read(text)
    assert problems == []
    assert entries == written
    assert all(e.where.line == 1 + sum(len(format_entry(w, UNIT).splitlines()) + 1 for w in written[:i]) for i, e in enumerate(entries))
    for entry in entries:
        assert signed_bytes(entry, UNIT) == "".join(line + "\n" for line in entry.lines if not line.startswith("    ; sig: ")).encode()


@given(st.text(max_size=40))
def test_any_text_either_round_trips_or_is_refused(text):
    try:
        check_text(text, "description")
    except BadInput:
        return
    entry = Entry(date(2026, 3, 10), text, (("id", "01JQ8X3V5ZK2M4N6P8R0T2W4Y6"),), (Posting("coop", Decimal(1)), Posting("members:eve", Decimal(-1))))
    [entry_read], problems = read(format_entry(entry, UNIT))
    assert problems == [] and entry_read == entry


def test_the_tail_of_a_file_is_read_after_its_blank_line():
    first, second = (format_entry(Entry(date(2026, 3, day), "Couture", (), (Posting("coop", Decimal(1)), Posting("members:eve", Decimal(-1)))), UNIT)
                     for day in (1, 2))
    [entry], problems = parse_journal("\n" + second, "x.journal", UNIT, first_line=5)
    assert problems == [] and entry.where.line == 6 and entry.date == date(2026, 3, 2)
    assert parse_journal("", "x.journal", UNIT, first_line=5) == ([], [])
    assert [str(p) for p in parse_journal(second, "x.journal", UNIT, first_line=5)[1]] == ["x.journal:5: entries are separated by exactly one blank line"]
    assert [str(p) for p in parse_journal("\n\n" + second, "x.journal", UNIT, first_line=5)[1]] == ["x.journal:6: entries are separated by exactly one blank line"]
    assert read(first + "\n" + second)[1] == []


@given(st.text(max_size=30))
def test_categories_never_split_into_tags(text):
    try:
        check_tag_value(text, "category")
    except BadInput:
        return
    assert "," not in text and ":" not in text and ";" not in text


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=70) | st.text("ab é'.-_ ١", max_size=70))
@example("a" * 60)
@example("a" * 61)
def test_the_category_pattern_is_check_tag_value(text):
    try:
        check_tag_value(text, "category")
        accepted = True
    except BadInput:
        accepted = False
    assert bool(re.fullmatch(CATEGORY, text)) == accepted


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=210) | st.text("aé (*!;)- \u00a0|", max_size=210))
@example("a" * 200)
@example("a" * 201)
def test_plain_descriptions_are_descriptions(text):
    if re.fullmatch(PLAIN_DESCRIPTION, text + "\n"[: len(text) and 1]):  # the pattern looks past the line's end
        check_description(text)


def test_what_every_command_writes_reads_back_and_is_taken_by_the_quick_scan(coop_repo):
    """record (with a category), revert and meeting close's credits, in a real coop; and the example coop's journals."""
    def run(*args: str) -> str:
        done = coop_repo.run(*args)
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("record", "bernard", "agnes", "2", "Jardinage chez Bernard", "--date", "2026-03-09", "--cat", "jardinage")
    recorded = [e for e in coop_repo.coop.readable_entries() if e.description == "Jardinage chez Bernard"][0]
    run("revert", recorded.id, "--reason", "Saisi deux fois (erreur)")
    run("meeting", "new", "Assemblée plénière", "--date", "2026-03-10", "--duration", "1.5")
    run("meeting", "attend", "2026-03-10-assemblee-pleniere", "agnes", "claire")
    run("meeting", "close", "2026-03-10-assemblee-pleniere")
    kinds = set()
    for root in (coop_repo.root, Path(__file__).parent.parent):
        for path in sorted((root / "ledger").glob("*.journal")):
            text = path.read_text(encoding="utf-8")
            entries, problems = read(text)
            assert problems == [] and entries, path
            assert summarise_file(text, UNIT) is not None, path
            kinds |= {(e.kind, e.tag("reverses") is not None, e.tag("meeting") is not None, e.tag("cat") is not None) for e in entries}
    assert {("exchange", False, False, True), ("reversal", True, False, True), ("meeting", False, True, False)} <= kinds


# ---------------------------------------------------------------- what coop refuses, at its line

ID = "01JQ8X3V5ZK2M4N6P8R0T2W4Y6"
ENTRY = (
    "2026-03-10 * Jardinage chez Bernard\n"          # 1
    f"    ; id: {ID}\n"                               # 2
    "    ; by: agnes\n"                               # 3
    "    ; kind: exchange\n"                          # 4
    "    ; cat: jardinage\n"                          # 5
    "    ; sig: U1NIU0lH\n"                           # 6
    "    members:agnes                 2.00 H\n"      # 7
    "    members:bernard              -2.00 H\n"      # 8
)
GOOD = ENTRY + "\n" + ENTRY.replace("2026-03-10", "2026-03-11").replace(ID, "01JQ8X3V5ZK2M4N6P8R0T2W4Y7")  # lines 10 to 17


def replaced(line: int, new: str) -> str:
    lines = GOOD.split("\n")
    lines[line - 1] = new
    return "\n".join(lines)


def inserted(line: int, new: str) -> str:
    lines = GOOD.split("\n")
    lines.insert(line - 1, new)
    return "\n".join(lines)


HOSTILE = {
    "an indented # line that hledger reads as a comment": (inserted(7, "    # members:x 10 H"), 7, "cannot read the posting"),
    "an indented ; line inside an entry": (inserted(7, "    ; members:x 10 H"), 7, "cannot read the tag line"),
    "an indented ; line between the postings": (inserted(8, "    ; members:x 10 H"), 8, "cannot read the posting"),
    "a second sig line": (inserted(7, "    ; sig: QUJD"), 7, "the tag sig is repeated or out of order"),
    "a tag after sig in its comment": (replaced(6, "    ; sig: U1NIU0lH, kind:reversal"), 6, "the tag sig cannot hold"),
    "a tag after cat in its comment": (replaced(5, "    ; cat: a, kind:reversal"), 5, "may hold only letters"),
    "a tag out of order": (replaced(4, "    ; cat: jardinage").replace("    ; cat: jardinage\n    ; sig", "    ; kind: exchange\n    ; sig", 1),
                           5, "the tag kind is repeated or out of order"),
    "a tag twice": (inserted(4, "    ; by: agnes"), 4, "the tag by is repeated or out of order"),
    "a tag named uuid": (inserted(6, "    ; uuid: 1"), 6, "the tag 'uuid' is not one coop writes"),
    "a tag without its space": (replaced(3, "    ;by: agnes"), 3, "cannot read the tag line"),
    "a tag on the header line": (replaced(1, "2026-03-10 * Jardinage  ; by: agnes"), 1, "must not contain ';'"),
    "a posting comment": (replaced(7, "    members:agnes                 2.00 H  ; date:2027-01-15"), 7, "cannot read the posting"),
    "a posting date tag after a comma": (replaced(5, "    ; cat: jardinage, date:2027-01-15"), 5, "may hold only letters"),
    "another commodity": (replaced(7, "    members:agnes                 2.00 EUR").replace("-2.00 H\n\n", "-2.00 EUR\n\n"), 7, "not in H, the charter's unit"),
    "a lower-case unit, hours to ledger": (replaced(7, "    members:agnes                 2.00 h"), 7, "not in H, the charter's unit"),
    "a price": (replaced(7, "    members:agnes                 2.00 H @ 1 EUR"), 7, "cannot read the posting"),
    "a total price": (replaced(7, "    members:agnes                 2.00 H @@ 1 EUR"), 7, "cannot read the posting"),
    "a balance assertion": (replaced(7, "    members:agnes                 2.00 H = 5 H"), 7, "cannot read the posting"),
    "a virtual posting": (replaced(7, "    (coop)                        2.00 H"), 7, "the account '(coop)' is neither"),
    "a balanced virtual posting": (replaced(8, "    [members:bernard]            -2.00 H"), 8, "the account '[members:bernard]' is neither"),
    "a third posting": (inserted(9, "    coop                          1.00 H"), 9, "an entry must have two postings"),
    "a missing amount": (replaced(8, "    members:bernard"), 8, "cannot read the posting"),
    "an amount without decimals": (replaced(7, "    members:agnes                    2 H"), 7, "cannot read the amount '2'"),
    "fullwidth digits": (replaced(7, "    members:agnes                 ２.００ H"), 7, "cannot read the amount"),
    "arabic-indic digits": (replaced(7, "    members:agnes                 ٢.٠٠ H"), 7, "cannot read the amount"),
    "a thousands separator": (replaced(7, "    members:agnes             1,500.00 H").replace("-2.00 H\n\n", "-1500.00 H\n\n"), 7, "cannot read the amount"),
    "a no-break space before the unit": (replaced(7, "    members:agnes                 2.00\u00a0H"), 7, "cannot read the posting"),
    "a no-break space in the gap": (replaced(7, "    members:agnes\u00a0                2.00 H"), 7, "the account 'members:agnes\\xa0' is neither"),
    "a misaligned amount": (replaced(7, "    members:agnes                2.00 H"), 7, "the line is not as coop writes it"),
    "a zero amount": (replaced(7, "    members:agnes                 0.00 H").replace("-2.00 H\n\n", "0.00 H\n\n"), 7, "a posting of zero hours"),
    "an unbalanced entry": (replaced(7, "    members:agnes                 3.00 H"), 1, "the postings do not balance (they sum to 1.00)"),
    "a tab for the indent": (replaced(7, "\tmembers:agnes                 2.00 H"), 7, "cannot read the posting"),
    "a tab in the gap": (replaced(7, "    members:agnes\t2.00 H"), 7, "cannot read the posting"),
    "a tab in the description": (replaced(1, "2026-03-10 * Jardinage\tchez Bernard"), 1, "control character U+0009"),
    "a trailing space": (replaced(3, "    ; by: agnes "), 3, "not a valid member id"),
    "a one-space gap": (replaced(7, "    members:agnes 2.00 H"), 7, "the line is not as coop writes it"),
    "two spaces after the date": (replaced(1, "2026-03-10  * Jardinage chez Bernard"), 1, "cannot read the transaction header"),
    "a date with slashes": (replaced(1, "2026/03/10 * Jardinage chez Bernard"), 1, "cannot read the transaction header"),
    "a short date": (replaced(1, "2026-3-10 * Jardinage chez Bernard"), 1, "cannot read the transaction header"),
    "a secondary date": (replaced(1, "2026-03-10=2026-03-11 * Jardinage chez Bernard"), 1, "cannot read the transaction header"),
    "a pending status": (replaced(1, "2026-03-10 ! Jardinage chez Bernard"), 1, "cannot read the transaction header"),
    "no status": (replaced(1, "2026-03-10 Jardinage chez Bernard"), 1, "cannot read the transaction header"),
    "a code": (replaced(1, "2026-03-10 * (42) Jardinage chez Bernard"), 1, "must not start with '('"),
    "a date that does not exist": (replaced(1, "2026-02-30 * Jardinage chez Bernard"), 1, "does not exist"),
    "carriage returns": (GOOD.replace("\n", "\r\n"), 1, "a carriage return"),
    "one carriage return": (replaced(4, "    ; kind: exchange\r"), 4, "a carriage return"),
    "a byte order mark": ("\ufeff" + GOOD, 1, "byte order mark"),
    "no newline at the end": (GOOD.rstrip("\n"), 17, "does not end with a newline"),
    "a blank line at the start": ("\n" + GOOD, 1, "exactly one blank line"),
    "a blank line at the end": (GOOD + "\n", 18, "exactly one blank line"),
    "two blank lines between entries": (inserted(9, ""), 10, "exactly one blank line"),
    "no blank line between entries": (GOOD.replace("H\n\n2026", "H\n2026"), 9, "cannot read the posting '2026-03-11"),
    "spaces on the blank line": (replaced(9, "    "), 9, "cannot read the posting '    '"),
    "a description with a bidi override": (replaced(1, "2026-03-10 * Jardinage \u202echez Bernard"), 1, "U+202E"),
    "a line separator in the description": (replaced(1, "2026-03-10 * Jardinage\u2028chez Bernard"), 1, "U+2028"),
}
for prefix in ";#*%|":
    HOSTILE[f"a top-level {prefix} line"] = (inserted(10, f"{prefix} members:x 10 H\n"), 10, "a comment outside an entry")
for directive in ["account coop", "commodity H", "commodity 1.000,00 H", "include other.journal", "P 2026-03-01 H 2 EUR",
                  "D 1.00 H", "Y 2026", "year 2026", "apply account members", "apply tag x", "alias coop=members:agnes",
                  "decimal-mark ,", "payee X", "tag x", "define x=1", "N H", "~ monthly", "= coop", "comment"]:
    HOSTILE[f"the directive {directive}"] = (inserted(10, f"{directive}\n"), 10, "a directive")
HOSTILE["an end directive"] = (inserted(10, "end apply account\n"), 10, "a directive")


@pytest.mark.parametrize("text, line, message", HOSTILE.values(), ids=HOSTILE.keys())
def test_every_other_form_is_refused_at_its_line(text, line, message):
    entries, problems = read(text)
    assert problems, "accepted"
    assert problems[0].startswith(f"x.journal:{line}: ") and message in problems[0], problems
    assert summarise_file(text, UNIT) is None


def test_the_hostile_cases_are_built_on_a_journal_coop_accepts():
    entries, problems = read(GOOD)
    assert problems == [] and len(entries) == 2 and summarise_file(GOOD, UNIT).entries == 2


def test_an_entry_without_tags_or_sig_is_read_and_verify_judges_it():
    text = "2026-03-10 * Sans rien\n    coop                          1.00 H\n    members:eve                  -1.00 H\n"
    [entry], problems = read(text)
    assert problems == [] and entry.tags == () and entry.sig is None and entry.id is None


def test_every_tag_coop_writes_is_read_in_its_order():
    tags = (("id", ID), ("by", "agnes"), ("kind", "meeting"), ("cat", "réunion d'équipe"), ("reverses", "01JQ8X3V5ZK2M4N6P8R0T2W4Y5"),
            ("meeting", "2026-03-10-assemblee-pleniere"), ("decision", "D-2026-003"))
    entry = Entry(date(2026, 3, 10), "Assemblée", tags, (Posting("members:agnes", Decimal("1.5")), Posting("coop", Decimal("-1.5"))), "QUJD")
    [entry_read], problems = read(format_entry(entry, UNIT))
    assert problems == [] and entry_read == entry


@pytest.mark.parametrize("key, value, message", [
    ("id", "X", "the tag id cannot hold 'X'"),
    ("id", "01jq8x3v5zk2m4n6p8r0t2w4y6", "the tag id cannot hold"),
    ("by", "Agnès", "not a valid member id"),
    ("by", "coop", "'coop' is the coop's own account"),
    ("kind", "gift", "the tag kind cannot hold 'gift'"),
    ("reverses", "ID-A", "the tag reverses cannot hold"),
    ("meeting", "../x", "the tag meeting cannot hold"),
    ("decision", "D-26-1", "the tag decision cannot hold"),
    ("sig", "", "the tag sig cannot hold ''"),
    ("sig", "U1NI U0lH", "the tag sig cannot hold"),
])
def test_tag_values_coop_does_not_write_are_refused(key, value, message):
    text = f"2026-03-10 * X\n    ; {key}: {value}\n    coop                          1.00 H\n    members:eve                  -1.00 H\n"
    entries, problems = read(text)
    assert entries == [] and len(problems) == 1 and problems[0].startswith("x.journal:2: ") and message in problems[0], problems


def test_the_unit_is_the_charters():
    text = "2026-03-10 * X\n    coop                          1.00 T\n    members:eve                  -1.00 T\n"
    assert read(text, "T")[1] == [] and summarise_file(text, "T") is not None
    assert read(text, "H")[1] == ["x.journal:2: the amount is in 'T', not in H, the charter's unit"] and summarise_file(text, "H") is None


# ---------------------------------------------------------------- the reader, fuzzed

@given(journal_texts())
@settings(max_examples=200)
def test_any_text_is_read_or_refused_never_raises(text):
    entries, problems = read(text)
    assert all(p.startswith("x.journal:") for p in problems)
    if not problems:
        assert append_text("", [format_entry(e, UNIT) for e in entries]) == text
        assert "".join("".join(line + "\n" for line in e.lines) + "\n" for e in entries)[:-1] == text


@given(st.text(max_size=300))
@settings(max_examples=500)
def test_arbitrary_text_never_raises(text):
    entries, problems = read(text)
    assert problems or append_text("", [format_entry(e, UNIT) for e in entries]) == text


@given(journal_texts(plain=True) | journal_texts())
@settings(max_examples=200)
def test_the_fast_path_never_takes_what_the_reader_refuses(text):
    summary = summarise_file(text, UNIT)
    if summary is None:
        return
    entries, problems = read(text)
    assert problems == []
    assert summary.entries == len(entries)
    assert summary.balances == {account: int(hours * 100) for account, hours in reports.balances(entries).items()}
    if entries:
        assert (summary.first, summary.last) == (min(e.date for e in entries).isoformat(), max(e.date for e in entries).isoformat())


@given(canonical_journals(UNIT, plain=True))
def test_the_fast_path_takes_what_coop_writes(text):
    assert summarise_file(text, UNIT) is not None


# ---------------------------------------------------------------- hours

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


# ---------------------------------------------------------------- hledger and ledger

@given(st.lists(canonical_entries(UNIT), min_size=1, max_size=30))
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
    entry = Entry(date(2026, 3, 10), "Jardinage", (("id", ID), ("by", "agnes"), ("kind", "exchange"), ("cat", "réparation vélo")),
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
    assert all(re.fullmatch(ULID, i) for i in ids)
