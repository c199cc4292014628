"""Hostile input, thousands of cases: every parser and command argument answers with a coop error or a result, never a crash.

What users type never changes the journal's structure and nothing is written outside the coop.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coop_cli import book, charter, meetings, members, slips
from coop_cli.cli import main
from coop_cli.errors import BadInput, CoopError
from coop_cli.journal import parse_journal
from coop_cli.model import check_member_id, parse_date, parse_hours
from conftest import make_coop
from helpers import entries_of

MANY = settings(max_examples=2000, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
SOME = settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

VALID_JOURNAL = (
    "2026-03-10 * Jardinage chez Bernard\n    ; id: 01JQ8X3V5ZK2M4N6P8R0T2W4Y6\n    ; by: agnes\n    ; kind: exchange\n"
    "    ; sig: U1NIU0lH\n    members:agnes                 2.00 H\n    members:bernard              -2.00 H\n"
)
VALID_MINUTES = meetings.render(
    meetings.Meeting("2026-03-10-ag", "AG", date(2026, 3, 10), Decimal(2), attendees=("agnes",)), {}
)
text_near = lambda valid: st.builds(  # noqa: E731 - a valid document with a random cut and a random insertion
    lambda cut, insert: valid[:cut] + insert + valid[cut:], st.integers(0, len(valid)), st.text(max_size=40)
)


@MANY
@given(st.one_of(st.text(max_size=300), text_near(VALID_JOURNAL)))
def test_journal_text_never_crashes_the_reader(text):
    entries, problems = parse_journal(text, "x.journal")
    assert all(p.where is not None for p in problems)


@MANY
@given(st.one_of(st.text(max_size=300), text_near("members:\n  - id: agnes\n    name: Agnès\n    since: 2020-03-10\n    keys: []\n")))
def test_members_yaml_text_never_crashes(text):
    try:
        members.parse(text)
    except CoopError:
        pass


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20) | st.dates(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)


@MANY
@given(st.dictionaries(st.sampled_from(["id", "name", "since", "status", "roles", "keys", "offers", "wants", "decisions", "x"]), yaml_values))
def test_odd_member_fields_are_refused_in_one_sentence(fields):
    try:
        members.parse(yaml.safe_dump({"members": [fields]}, allow_unicode=True))
    except CoopError as problem:
        assert "\n" not in problem.message


@MANY
@given(st.one_of(st.text(max_size=300), text_near(charter.new_charter("X")),
                 st.dictionaries(st.sampled_from(["name", "unit", "step", "max_exchange", "min_balance", "quorum", "majority", "recorders"]), yaml_values)
                 .map(lambda rules: "---\n" + yaml.safe_dump(rules, allow_unicode=True) + "---\n")))
@example("---\nname:\n  -_: null\n---\n")  # ruamel.yaml raised IndexError on the key `-_`
def test_charter_text_never_crashes(text):
    try:
        charter.parse(text)
    except CoopError:
        pass


@MANY
@given(st.one_of(st.text(max_size=300), text_near(VALID_MINUTES)))
def test_minutes_text_never_crashes(text):
    try:
        meetings.parse(text, "2026-03-10-ag")
    except CoopError:
        pass


@MANY
@given(st.text(max_size=30))
def test_words_typed_by_users_are_read_or_refused(text):
    for read in (parse_hours, parse_date, check_member_id, meetings.check_slug):
        try:
            read(text)
        except BadInput as problem:
            assert "\n" not in problem.message.replace(repr(text), "")


@MANY
@given(st.one_of(st.text(max_size=300), st.lists(st.lists(st.text(max_size=15), max_size=7), max_size=6).map(
    lambda rows: "\n".join(",".join(row) for row in rows))))
def test_batch_files_never_crash(text):
    try:
        slips.read_batch(text, "slips.csv")
    except CoopError:
        pass


# ---------------------------------------------------------------- the command line

@pytest.fixture(scope="module")
def hostile_coop(tmp_path_factory):
    return make_coop(tmp_path_factory.mktemp("hostile"), (("agnes", "Agnès", ("treasurer",)), ("bernard", "Bernard", ())))


def coop(hostile_coop, *args: str) -> tuple[int, str, str]:
    """Run the command line in this process: any exception but SystemExit is a crash the user would see."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            main(["-C", str(hostile_coop.root), *args])
        except SystemExit as done:
            return int(done.code or 0), out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def files_around(root: Path) -> set[Path]:
    return {p for p in root.parent.rglob("*") if ".git" not in p.parts}


words = st.text(max_size=40)
hours = st.one_of(words, st.sampled_from(["1", "0.25", "1h30", "90m", "0:45", "-1", "1e9", "999999", "0"]))
dates = st.one_of(words, st.dates().map(str))


@SOME
@given(payer=st.sampled_from(["bernard", "coop", "agnes"]) | words, hours=hours, description=words, when=dates, cat=st.none() | words)
@example(payer="bernard", hours="1", description="-h", when=str(date.today()), cat=None)  # once shown help and exited 0
def test_record_arguments_are_written_whole_or_refused(hostile_coop, monkeypatch, payer, hours, description, when, cat):
    monkeypatch.setenv("COOP_AS", "agnes")
    monkeypatch.setenv("COOP_KEY", str(hostile_coop.keys["agnes"]))
    before = files_around(hostile_coop.root)
    count = len(entries_of(hostile_coop.root))
    # Arbitrary words reach the command the way a careful script passes them: options glued to their
    # values, then `--`, so that a description such as "-h" is a description and not a request for help.
    args = ["record", f"--date={when}"] + ([f"--cat={cat}"] if cat is not None else []) + ["--", payer, "agnes", hours, description]
    status, _out, err = coop(hostile_coop, *args)
    entries = entries_of(hostile_coop.root)
    if status == 0:
        assert len(entries) == count + 1
        assert entries[-1].description == description
        assert entries[-1].hours == parse_hours(hours)
    else:
        assert status in (1, 2) and len(err.splitlines()) == 1 and err.startswith("error: "), err
        assert len(entries) == count
    assert files_around(hostile_coop.root) - before <= {p for p in hostile_coop.root.rglob("*.journal")}


@SOME
@given(st.lists(words, min_size=1, max_size=4), st.sampled_from([
    ["member", "show"], ["statement"], ["balance", "--member"], ["balance", "--date"], ["statement", "agnes", "--from"],
    ["meeting", "show"], ["meeting", "attend"], ["decisions", "--search"], ["log", "--since"], ["revert"],
]))
def test_any_argument_gets_an_answer_not_a_crash(hostile_coop, monkeypatch, values, command):
    monkeypatch.setenv("COOP_AS", "agnes")
    monkeypatch.setenv("COOP_KEY", str(hostile_coop.keys["agnes"]))
    before = files_around(hostile_coop.root)
    status, _out, err = coop(hostile_coop, *command, *values)
    assert status in (0, 1, 2)
    if status:
        assert err.startswith("error: ") and "Traceback" not in err
    assert files_around(hostile_coop.root) == before
