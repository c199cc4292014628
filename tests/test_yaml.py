"""One YAML reader for charter.md and members.yaml: YAML 1.2's core schema, refusing whatever another reader reads otherwise.

Refusals are checked through `coop balance` and `coop verify` on real coops; the reader itself against ruamel.yaml's.
"""

from __future__ import annotations

import json
import math
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from coop_cli import charter, yamltext
from coop_cli.errors import BadInput, CoopError
from coop_cli.model import check_text

EXAMPLE_REGISTER = (Path(__file__).resolve().parents[1] / "members.yaml").read_text()

# Plain scalars that YAML 1.1 (its type repository, or PyYAML) or ruamel.yaml reads otherwise than YAML 1.2's core schema.
AMBIGUOUS = [
    "yes", "Yes", "NO", "on", "Off", "y", "N",          # booleans to YAML 1.1, text to 1.2
    "1:30", "1:30:00", "12:00", "190:20:30.15",         # sexagesimal numbers to YAML 1.1
    "0o17", "-0o17",                                    # octal to 1.2 (and to ruamel with a sign), text to 1.1
    "017", "08",                                        # octal (or text) to 1.1, decimal to 1.2
    "0b101", "1_000", "0x_1F", "-0x1F", "0.1_0",        # numbers to 1.1, text to 1.2
    "+.5", "-.5",                                       # numbers to both specs, text to PyYAML
    "1e3", "1.5e3",                                     # numbers to 1.2, text to 1.1
    "1.2.3", ".",                                       # a float to YAML 1.1's regular expression
    "2020-03-10T10:00:00Z", "2020-03-10 10:00:00",      # timestamps to 1.1, text to 1.2
    "<<", "=",                                          # merge and value keys to 1.1
    "-_",                                               # a number to ruamel.yaml, which then fails
]


def commit_by_hand(coop_repo, relative: str, text: str) -> None:
    (coop_repo.root / relative).write_text(text)
    coop_repo.git("-c", "user.name=x", "-c", "user.email=x@x", "commit", "-qam", "hand edit")


def refusals(coop_repo, relative: str, *texts: str) -> list[tuple[str, str]]:
    """What `coop balance` and `coop verify --full` say of each of `texts` committed in turn as `relative`."""
    before = coop_repo.git("rev-parse", "HEAD").strip()
    said_by_balance = []
    for text in texts:
        commit_by_hand(coop_repo, relative, text)
        balance = coop_repo.run("balance", as_=None)
        assert balance.returncode == 1 and "Traceback" not in balance.stderr, balance.stderr
        assert len(balance.stderr.splitlines()) == 1, balance.stderr
        said_by_balance.append(balance.stderr.strip())
    verify = coop_repo.run("verify", "--full", "--format", "json", as_=None)
    assert verify.returncode == 1 and "Traceback" not in verify.stderr, verify.stderr
    messages = [finding["message"] for finding in json.loads(verify.stdout)]
    said_by_verify = [m.removeprefix(relative + " cannot be read: ") for m in messages if m.startswith(relative + " cannot be read: ")]
    assert len(said_by_verify) == len(texts), messages
    coop_repo.git("reset", "-q", "--hard", before)
    return list(zip(said_by_balance, said_by_verify))


def test_each_ambiguous_spelling_is_refused_in_the_charter(coop_repo):
    original = (coop_repo.root / "charter.md").read_text()
    assert "max_exchange: 24 " in original
    said = refusals(coop_repo, "charter.md", *(original.replace("max_exchange: 24 ", f"max_exchange: {s} ") for s in AMBIGUOUS))
    for spelling, (balance, verify) in zip(AMBIGUOUS, said):
        assert balance.startswith(f"error: charter.md:6: max_exchange: {spelling} is read as "), balance
        assert verify == balance.removeprefix("error: ")


def test_each_ambiguous_spelling_is_refused_in_the_register(coop_repo):
    original = (coop_repo.root / "members.yaml").read_text()
    line = original.splitlines().index("    name: Bernard") + 1
    said = refusals(coop_repo, "members.yaml", *(original.replace("name: Bernard\n", f"name: {s}\n") for s in AMBIGUOUS))
    for spelling, (balance, verify) in zip(AMBIGUOUS, said):
        assert balance.startswith(f"error: members.yaml:{line}: name: {spelling} is read as "), balance
        assert verify == balance.removeprefix("error: ")


def test_the_two_famous_cases_say_what_each_version_reads(coop_repo):
    original = (coop_repo.root / "charter.md").read_text()
    (sexagesimal, _), (boolean, _) = refusals(coop_repo, "charter.md", original.replace("max_exchange: 24 ", "max_exchange: 1:30 "),
                                              original.replace("meeting_credit: true ", "meeting_credit: yes "))
    assert sexagesimal == ("error: charter.md:6: max_exchange: 1:30 is read as the text '1:30' by YAML 1.2 but as the number 90 "
                           "by YAML 1.1; write it so that every reader agrees (text in quotes)")
    assert boolean.startswith("error: charter.md:11: meeting_credit: yes is read as the text 'yes' by YAML 1.2 but as true by YAML 1.1;")


@pytest.mark.parametrize(
    "relative, old, new, words",
    [
        ("members.yaml", "    status: active\n", "    status: active\n    status: left\n", ("members.yaml:", "the key status appears twice")),
        ("members.yaml", "  - id: bernard\n", "  - id: bernard\n    <<: {roles: [treasurer]}\n", ("the key <<", "merge")),
        ("members.yaml", "members:\n", "members:\n  - &agnes\n    id: x\n", ("anchors and aliases",)),
        ("members.yaml", "members:\n", "%YAML 1.1\n---\nmembers:\n", ("directives",)),
        ("members.yaml", "name: Bernard", "name: !!python/object/apply:os.system ['echo pwned']", ("the tag tag:yaml.org,2002:python/object/apply:os.system",)),
        ("charter.md", "majority: simple", "majority: !!python/name:os.system", ("charter.md:13", "the tag")),
        ("charter.md", "step: 0.25", "step: !!float 0.25", ("charter.md:5", "the tag tag:yaml.org,2002:float")),
        ("charter.md", "quorum: 0.5 ", "quorum: 0.5\nquorum: 0.1 ", ("charter.md:13: the key quorum appears twice in the same mapping (first on line 12)",)),
    ],
)
def test_what_could_disguise_a_value_is_refused(coop_repo, relative, old, new, words):
    original = (coop_repo.root / relative).read_text()
    assert old in original
    for said in refusals(coop_repo, relative, original.replace(old, new, 1))[0]:
        for word in words:
            assert word in said, said


def test_quoted_spellings_are_text_where_text_is_expected(coop_repo):
    members = (coop_repo.root / "members.yaml").read_text()
    members = members.replace("name: Bernard\n", 'name: "yes"\n').replace("name: Claire\n", "name: '1:30'\n")
    members = members.replace("since: 2020-03-10\n", 'since: "2020-03-10"\n', 1)  # a date may be written in quotes too
    commit_by_hand(coop_repo, "members.yaml", members)
    done = coop_repo.run("balance", "--format", "json", as_=None)
    assert done.returncode == 0, done.stderr
    names = {row["member"]: row["name"] for row in json.loads(done.stdout)}
    assert names["bernard"] == "yes" and names["claire"] == "1:30"
    # the same spellings unquoted where text is expected are refused, not read as text
    commit_by_hand(coop_repo, "members.yaml", members.replace('name: "yes"', "name: yes"))
    assert "name: yes is read as" in coop_repo.run("balance", as_=None).stderr


def test_a_number_where_text_is_expected_is_refused_not_turned_into_text(coop_repo):
    members = (coop_repo.root / "members.yaml").read_text()
    commit_by_hand(coop_repo, "members.yaml", members.replace("name: Bernard\n", "name: 1.50\n"))
    done = coop_repo.run("balance", as_=None)
    assert done.returncode == 1 and "name must be text" in done.stderr, done.stderr


def test_text_that_would_be_read_otherwise_is_written_in_quotes(coop_repo):
    for member_id, name in (("dora", "No"), ("emile", "2020-03-10"), ("fanny", "12:30")):
        done = coop_repo.run("member", "add", member_id, "--name", name)
        assert done.returncode == 0, done.stderr
    text = (coop_repo.root / "members.yaml").read_text()
    assert 'name: "No"' in text and 'name: "2020-03-10"' in text and 'name: "12:30"' in text
    done = coop_repo.run("member", "show", "fanny", as_=None)
    assert done.returncode == 0 and "12:30" in done.stdout
    assert coop_repo.run("verify", "--full", as_=None).returncode == 0


def test_a_rule_set_to_ambiguous_text_is_written_in_quotes():
    text = charter.with_rule(charter.new_charter("X"), "unit", "NO", "D-2026-001")
    assert 'unit: "NO"' in text
    assert charter.parse(text).unit == "NO"


def test_dates_are_read_as_dates_and_impossible_days_refused():
    assert yamltext.read("since: 2020-03-10\n", "members.yaml") == {"since": date(2020, 3, 10)}
    assert yamltext.read("since: '2020-03-10'\n", "members.yaml") == {"since": "2020-03-10"}
    with pytest.raises(CoopError, match=r"members.yaml:2: since: 2020-02-30 is a date that is no day of the calendar"):
        yamltext.read("x: 1\nsince: 2020-02-30\n", "members.yaml")


def test_numbers_are_read_exactly():
    rules = yamltext.read("step: 0.30000000000000001\nmax: 24\nlow: -20\nhex: 0x1F\nbig: 1.0e+3\n", "charter.md")
    assert rules == {"step": Decimal("0.30000000000000001"), "max": 24, "low": -20, "hex": 31, "big": Decimal("1000")}
    assert type(rules["max"]) is int


def test_values_that_every_reader_reads_alike_are_accepted():
    data = yamltext.read("a: [true, FALSE, ~, null, '', .5, 1., 00, +1, -0, .inf, 0:30, -.nan, 2020-3-1, nULL, 0o]\n", "x")
    assert data["a"][:9] == [True, False, None, None, "", Decimal("0.5"), Decimal("1"), 0, 1]
    assert data["a"][9:] == [0, Decimal("Infinity"), "0:30", "-.nan", "2020-3-1", "nULL", "0o"]


def test_the_charter_refuses_infinite_numbers(coop_repo):
    original = (coop_repo.root / "charter.md").read_text()
    commit_by_hand(coop_repo, "charter.md", original.replace("max_exchange: 24 ", "max_exchange: .inf "))
    done = coop_repo.run("balance", as_=None)
    assert done.returncode == 1 and "finite" in done.stderr, done.stderr


# ---------------------------------------------------------------- one schema: the reader against ruamel.yaml's YAML 1.2

def _plain_data(value):
    """Data as plain Python, numbers as floats (NaN as a word), so that two readers' results compare."""
    if isinstance(value, dict):
        return {_plain_data(k): _plain_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_data(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, date):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, (float, Decimal)):
        return "NaN" if math.isnan(value) else float(value)
    if isinstance(value, str):
        return str(value)
    return ("not plain data", type(value).__name__, repr(value))


WORDS = [
    "yes", "No", "ON", "y", "true", "False", "null", "~", "1:30", "0:30", "0o17", "017", "08", "0b1", "1_0", "+.5", ".5", "1.",
    "1e3", "1.0e+3", "0x1F", "-0x1F", ".inf", "-.inf", ".nan", ".NaN", "2020-03-10", "2020-02-30", "2020-03-10 10:00:00",
    "<<", "=", "-_", "a", "Agnès", "b c", "ssh-ed25519 AAAA x@y", "'q'", '"yes"', "''", "|", ">", "#c", "&a", "*a",
    "!!str", "!", "%", "@", "`", "-", "?", ":", ",", "[", "]", "{", "}", "- x", "a: b", "? x",
]
SYNTAX = [
    "\n", "  ", "\t", ": ", "- ", ":", "---\n", "...\n", "%YAML 1.2\n", "%TAG ! tag:x,2000:\n", "\u2028", "\x85", "\r\n", "\r", "\ufeff",
    '"\\/"', '"\\x41"', '"\\u00e9"', '"\\N"', '"\\_"', '"\\L"', '"\\e"', '"\\ "', '"a\\\nb"', "'it''s'", '"a":b', "{a: 1,}", "[a,]", "{a}",
    "[a: b]", "{? a}", "a#b", "a #b", "!<tag:yaml.org,2002:str> x", "&a x", "? ", "-1", "- - x", "\x00", "\x7f", "\x1b", "é",
]
scalars = st.one_of(
    st.sampled_from(WORDS),
    st.text(alphabet="0123456789_+-.:eExobXOBinfaINFNyYnNtT~<= ", min_size=1, max_size=8),
    st.text(max_size=6),
)
trees = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.lists(st.tuples(scalars, children), max_size=4),
    max_leaves=12,
)


def _render(tree, indent: int, flow: bool) -> str:
    """A tree as YAML-ish text, its scalars written as they are (so often not YAML at all)."""
    pad = " " * indent
    if isinstance(tree, str):
        return tree
    if flow:
        if tree and isinstance(tree[0], tuple):
            return "{" + ", ".join(f"{k}: {_render(v, 0, True)}" for k, v in tree) + "}"
        return "[" + ", ".join(_render(v, 0, True) for v in tree) + "]"
    lines = []
    for item in tree:
        head, value = (f"{item[0]}:", item[1]) if isinstance(item, tuple) else ("-", item)
        if isinstance(value, str) or not value:
            lines.append(f"{pad}{head} {_render(value, 0, True)}")
        else:
            lines.append(f"{pad}{head}\n{_render(value, indent + 2, False)}")
    return "\n".join(lines) + "\n"


yaml_texts = st.one_of(
    st.builds(_render, trees, st.just(0), st.booleans()),
    st.lists(st.sampled_from(WORDS + SYNTAX), max_size=30).map("".join),
    st.builds(lambda cut, insert, text: text[:cut] + insert + text[cut:], st.integers(0, 400), st.text(max_size=10),
              st.sampled_from([EXAMPLE_REGISTER, charter.split(charter.new_charter("X"))[0]])),
)


def _read_alike(text: str) -> None:
    """The reader refuses `text` in one sentence, or reads what ruamel.yaml (YAML 1.2) and PyYAML (YAML 1.1) both read."""
    try:
        ours = yamltext.read(text, "x.yaml")
    except CoopError as problem:
        assert "\n" not in problem.message, problem.message
        return
    try:
        theirs = yamltext.load(text, "x.yaml")  # ruamel.yaml's round-trip reader, YAML 1.2: the one that rewrites the files
    except CoopError as problem:
        pytest.fail(f"coop reads {ours!r} where ruamel.yaml refuses: {problem.message}")
    assert _plain_data(ours) == _plain_data(theirs)
    assert _plain_data(ours) == _plain_data(yaml.load(text, Loader=yaml.CSafeLoader))  # PyYAML's resolver on the same parser


# 500 examples at each run of the suite; run once with 30 000 (and 10 000 for scalars) when the reader changes.
PROPERTY = settings(max_examples=500, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@PROPERTY
@given(yaml_texts)
@example("a: -_\n")
@example("a: -0o17\n")
@example("a: +.5\n")
@example("on: 1\n")
@example("a: 1\n1: 2\ntrue: 3\n")
@example(EXAMPLE_REGISTER)
def test_the_reader_refuses_cleanly_or_reads_what_ruamel_and_pyyaml_read(text):
    _read_alike(text)


@PROPERTY
@given(scalars)
def test_every_plain_scalar_is_refused_or_read_as_ruamel_and_pyyaml_read_it(word):
    _read_alike(f"v: {word}\n")
    _read_alike(f"[{word}]\n")


def _writable(text: str) -> bool:
    try:
        return check_text(text, "name") == text
    except BadInput:
        return False


@PROPERTY
@given(st.one_of(st.sampled_from(WORDS), st.text(max_size=20)).filter(_writable))
def test_whatever_text_coop_writes_reads_back_as_that_text(text):
    written = yamltext.dump({"name": text, "offers": [text]})
    assert yamltext.read(written, "members.yaml") == {"name": text, "offers": [text]}
