"""Journal texts from a grammar much wider than coop's, and hledger 1.25 and ledger 3.3 as oracles of what they mean.

`journal_cases()` draws files: half are entries exactly as coop writes them (with descriptions, tags and amounts
from the whole of what coop accepts), half are near misses: the same files with comments, directives, other
commodities, prices, assertions, virtual postings, other spacing, other dates, statuses, codes, unicode digits
and spaces, carriage returns, byte order marks or blank lines added. `disagreement()` reads one file with coop,
hledger and ledger and says how they differ. Used by tests/test_differential.py and scripts/fuzz-differential.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import subprocess
import tempfile
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from coop_cli.errors import BadInput
from coop_cli.journal import (
    FIRST_YEAR, TAG_ORDER, append_text, check_description, entry_lines, format_entry, parse_journal, tag_problem,
)
from coop_cli.model import KINDS, Entry, Posting, check_member_id

BASE32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
UNITS = ("H", "HR", "T", "E", "X", "EUR", "HOURS")


def accepted(check, text: str) -> bool:
    try:
        check(text)
        return True
    except BadInput:
        return False


# ---------------------------------------------------------------- what coop writes, from the whole of what it accepts

ulids = st.builds(lambda first, rest: first + rest, st.sampled_from("01234567"), st.text(BASE32, min_size=25, max_size=25))
member_ids = st.one_of(
    st.sampled_from(["agnes", "bernard", "eve", "jean-paul", "laurent1", "x", "a_", "coop-x", "coopx", "z9-_", "a" * 32]),
    st.from_regex(r"[a-z][a-z0-9_-]{0,31}", fullmatch=True),
).filter(lambda text: accepted(check_member_id, text))
accounts = st.one_of(member_ids.map(lambda member: f"members:{member}"), st.just("coop"))

# Characters that hledger or ledger might read differently: punctuation they treat specially, unicode spaces,
# digits and marks, direction marks, joiners, a byte order mark inside a line, and characters coop refuses (`;`,
# tab, controls): the reader's own rules filter the values drawn, so a reader grown lenient is caught.
ODD = (
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~0123456789 \t\x7f\u2028\u202e"
    "\u00a0\u2003\u2009\u202f\u3000\u00ad\u200b\u200c\u200d\u200e\u200f\u061c\ufeff"
    "\u0301\u0308\u0327\uff10\uff11\uff0e\u0660\u0661\u06f1\u0966\u00b2\u00bd\u2167"
    "€£¥«»’–—…°é È ç Ñ ß Œ ı İ Ω Я 中 文 ا ل ع ر ب ي ة א ב 😀 🇫🇷 👩‍👩‍👧"
)
RISKY = [";", "\t", "  ", "|", "(", ")", "@", "@@", "=", "==", "#", "*", "!", "[", "]", "{", "}", ":", ",", "~", "%", "\u00a0",
         "\u2003", "\u2028", "\u202e", "\u200f", "\ufeff", "\u0301", "\uff11", "\u0661", "\x7f", "\r", "\f", " ;", "\t;",
         ", a:1", " b:", "'", ".", "-", "_", "+", "/", " "]


def risky(*words: str):
    """A word, one character hledger or ledger may treat specially, and another word: one risk at a time."""
    return st.builds("".join, st.tuples(st.sampled_from(["", *words]), st.sampled_from(RISKY), st.sampled_from(["", *words])))


def kept(wide, fallback, rule):
    """A value drawn from `wide` if the reader's own `rule` takes it, else one from `fallback` (never a rejected draw)."""
    return st.builds(lambda value, other: value if rule(value) else other, wide, fallback)


def description_accepted(text: str) -> bool:
    return accepted(check_description, text)


PLAIN = st.sampled_from(["Jardinage chez Bernard", "Réparation vélo", "Assemblée générale 2026", "Cours de cuisine | thé", "a"])
descriptions = st.one_of(
    PLAIN,
    kept(risky("Jardinage", "x", "2.00 H", "thé", "1"), PLAIN, description_accepted),
    kept(risky("Jardinage", "x", "2.00 H", "thé", "1"), PLAIN, description_accepted),
    kept(st.text(ODD + "abcxyz", min_size=1, max_size=40), PLAIN, description_accepted),
    kept(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=30), PLAIN, description_accepted),
)
WORDS = st.sampled_from(["jardinage", "réparation vélo", "soutien-scolaire", "l'atelier", "x", "a.b", "_", "１２", "٣"])
categories = WORDS | kept(st.text("abcé_-'. 1١２ЯΩ中" + "\u0301", min_size=1, max_size=20), WORDS, lambda value: tag_problem("cat", value) is None)
slugs = st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}-[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
decisions = st.from_regex(r"D-[0-9]{4}-[0-9]{3,5}", fullmatch=True)
signatures = st.one_of(
    st.binary(min_size=1, max_size=300).map(lambda raw: base64.b64encode(raw).decode()),
    st.from_regex(r"[A-Za-z0-9+/]{1,40}={0,2}", fullmatch=True),
)
TAG_VALUES = {"id": ulids, "by": member_ids, "kind": st.sampled_from(KINDS), "cat": categories, "reverses": ulids,
              "meeting": slugs, "decision": decisions, "sig": signatures}
# Each is also drawn with a risky character, kept if the reader's own rule takes it: so a reader grown lenient is caught.
TAG_VALUES = {key: st.one_of(values, kept(risky("a", "x1", "jardinage", "01JQ8X3V5ZK2M4N6P8R0T2W4Y6", "QUJD"), values,
                                          lambda value, key=key: tag_problem(key, value) is None))
              for key, values in TAG_VALUES.items()}
hundredths = st.one_of(st.integers(1, 4000), st.integers(1, 10**15))


@st.composite
def canonical_entries(draw, unit: str = "H", plain: bool = False) -> Entry:
    """An entry as coop writes it; `plain` keeps to ordinary words, which the fast path takes."""
    tags = []
    for key in TAG_ORDER:
        if draw(st.integers(0, 9)) < (8 if key in ("id", "by", "kind") else 3):
            tags.append((key, draw(TAG_VALUES[key])))
    sig = draw(st.none() | TAG_VALUES["sig"]) if not plain else draw(signatures)
    amount = Decimal(draw(hundredths)) / 100
    first, second = draw(st.lists(accounts, min_size=2, max_size=2))
    if draw(st.booleans()):
        amount = -amount
    described = st.sampled_from(["Jardinage chez Bernard", "Réparation vélo", "Aide (devoirs) 2/3"]) if plain else descriptions
    when = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)) if plain else st.dates(min_value=date(FIRST_YEAR, 1, 1)))
    return Entry(when, draw(described), tuple(tags), (Posting(first, amount), Posting(second, -amount)), sig)


def canonical_journals(unit: str = "H", plain: bool = False):
    return st.lists(canonical_entries(unit, plain), max_size=5).map(lambda entries: append_text("", [format_entry(e, unit) for e in entries]))


# ---------------------------------------------------------------- near misses: every mutation makes a file coop must refuse

TOP_LEVEL = [
    *(f"{prefix} members:x 10 H" for prefix in ";#*%|"), "; sig: U1NIU0lH", "# 2026-03-10 * x",
    "account coop", "account members:x", "commodity H", "commodity 1.000,00 H", "include other.journal", "!include other.journal",
    "P 2026-01-01 H 2 EUR", "D 1.00 H", "Y 2026", "year 2026", "apply account members", "end apply account", "apply tag x",
    "end apply tag", "alias coop=members:x", "alias members:x=coop", "decimal-mark ,", "payee X", "tag x", "define x=1",
    "N H", "C 1.00 H = 60 M", "~ monthly", "~ monthly\n    coop  1 H\n    members:x", "= coop\n    members:x  1 H\n    coop  -1 H",
    "= expr true\n    (members:x)  1", "comment\n2026-01-01 * x\n    coop  1 H\n    members:x  -1 H\nend comment",
    "bucket coop", "assert true", "check true", "expr 1", "eval 1", "--strict", "-x", "@ x", "i 2026/01/01 00:00:00 coop",
    "o 2026/01/01 01:00:00", "b 1", "h x", "2026-03-10 * ", "2026-03-10", "x", "\u00a0", "\t", "\f", "\v", "\x1b[0m",
]
INDENTED = [
    "    ; members:x 10 H", "    # members:x 10 H", "    * members:x 10 H", "    % x", "    | x", "    ; note",
    "    ; a:1, b:2", "    ; :tag1:tag2:", "    ; key:: 1", "    ; [2027-01-15]", "    ; [=2027-01-15]", "    ; date: 2027-01-15",
    "    ; date2: 2027-01-15", "    ; uuid: 01JQ8X3V5ZK2M4N6P8R0T2W4Y6", "    ;", "    ; ", "  ; x", "\t; x",
    "    ; Payee: Someone", "    ; type: x", "    ;id: x", "    ; id:x", "    ; id:  01JQ8X3V5ZK2M4N6P8R0T2W4Y6",
]
TAG_SUFFIXES = [", kind:reversal", ", date:2027-01-15", ",date:2027-01-15", " ; x", " :x:", " [2027-01-15]", " ", "\t", ", a:1"]
POSTING_SUFFIXES = ["  ; date:2027-01-15", "  ; x", "\t; x", " ; x", "  ; :x:", "  ; [2027-01-15]", " @ 1.00 EUR", " @@ 2.00 EUR",
                    " {1.00 EUR}", " {{1.00 EUR}}", " [2026-01-01]", " (@) 1 EUR", " = 5.00 H", " == 5.00 H", " =* 5.00 H",
                    " = 0", " ", "\t", " H", " 1", "  ; date:2027-01-15, x:1"]
INDENTS = ["\t", "  ", "   ", "     ", " \t", "\u00a0   ", "\u3000", "    \u200b"]


SHAPES = {
    "header": re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}) \* (.*)"),
    "tag": re.compile(r"    ; ([^:\s]+): (.*)"),
    "posting": re.compile(r"    ([^\s;]\S*)( +)(-?[0-9]+\.[0-9]{2}) ([A-Z]+)", re.ASCII),
}


def _lines_of(lines: list[str], kind: str) -> list[int]:
    """The lines still in coop's shape for `kind` (earlier changes may have bent some)."""
    return [i for i, line in enumerate(lines) if SHAPES[kind].fullmatch(line)]


@st.composite
def _at(draw, lines: list[str], kind: str) -> int | None:
    found = _lines_of(lines, kind)
    return draw(st.sampled_from(found)) if found else None


@st.composite
def mutated(draw, lines: list[str], unit: str) -> tuple[list[str], str]:
    """One change that takes a file out of coop's form, and its name."""
    lines = list(lines)
    kind = draw(st.sampled_from(["top", "indented", "tag", "posting", "amount", "account", "unit", "spacing", "header", "description", "structure"]))
    where = draw(_at(lines, {"tag": "tag", "header": "header", "description": "header"}.get(kind, "posting")))
    if kind == "top" or where is None:
        spot = draw(st.sampled_from([0, len(lines), *[i + 1 for i, line in enumerate(lines) if not line]]))
        line = draw(st.sampled_from(TOP_LEVEL) | st.builds(lambda p, t: p + t, st.sampled_from(";#*%|"), st.text(ODD, max_size=10)))
        separator = [""] if draw(st.booleans()) else []
        lines[spot:spot] = line.split("\n") + separator
        return lines, "top-level line"
    if kind == "indented":
        line = draw(st.sampled_from(INDENTED) | st.text(ODD, max_size=10).map(lambda text: "    ;" + text))
        lines.insert(where + draw(st.sampled_from([0, 1])), line)
        return lines, "indented line"
    if kind == "tag":
        key, value = SHAPES["tag"].fullmatch(lines[where]).groups()
        lines[where] = draw(st.sampled_from([
            lines[where] + draw(st.sampled_from(TAG_SUFFIXES)),
            f"    ; {key}:{value}", f"    ;{key}: {value}", f"    ;  {key}: {value}", f"    ; {key.upper()}: {value}",
            f"\t; {key}: {value}", f"    # {key}: {value}", f"    ; {key}: {value}, {key}: {value}",
        ]))
        if draw(st.booleans()):
            others = [i for i in _lines_of(lines, "tag") if i != where]
            if others:  # a tag repeated, or out of order
                lines.insert(draw(st.sampled_from(others)), lines[where] if draw(st.booleans()) else lines[where].rstrip(", ").split(",")[0])
                lines[where] = draw(st.sampled_from(_lines_of(lines, "tag")).map(lambda i: lines[i]))
        return lines, "tag form"
    if kind in ("header", "description", "structure"):
        return _mutated_entry(draw, lines, kind, where)
    account, gap, amount, written_unit = SHAPES["posting"].fullmatch(lines[where]).groups()
    if kind == "posting":
        lines[where] = draw(st.sampled_from([
            lines[where] + draw(st.sampled_from(POSTING_SUFFIXES)),
            f"    ({account}){gap[2:]}{amount} {written_unit}", f"    [{account}]{gap[2:]}{amount} {written_unit}",
            f"    {account}", f"    * {account}{gap[2:]}{amount} {written_unit}", f"    ! {account}{gap[2:]}{amount} {written_unit}",
            f"    {account}{gap}({amount} {written_unit} * 1)",
        ]))
        if draw(st.integers(0, 3)) == 0:  # a third posting, or one fewer
            if draw(st.booleans()):
                lines.insert(where + 1, f"    coop{gap}0.00 {written_unit}")
            else:
                del lines[where]
        return lines, "posting form"
    if kind == "amount":
        whole, cents = amount.lstrip("-").split(".")
        sign = "-" if amount.startswith("-") else ""
        fullwidth = str.maketrans("0123456789.", "０１２３４５６７８９．")
        arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
        other = draw(st.sampled_from([
            f"{sign}{whole}", f"{sign}{whole}.{cents}0", f"{sign}{whole}.{cents[0]}", f"{sign}0{whole}.{cents}", f"+{whole}.{cents}",
            f"{sign}{whole},{cents}", f"{sign}{whole[:-3] or 1},{whole[-3:]:0>3}.{cents}", f"{sign}{whole[:-3] or 1} {whole[-3:]:0>3}.{cents}",
            f"{sign}{whole}.{cents}".translate(fullwidth), f"{sign}{whole}.{cents}".translate(arabic), f"{sign} {whole}.{cents}",
            f"{sign}{whole}.{cents}e0", f"{sign}{whole}.{cents}\u00a0", f"{sign}\u200e{whole}.{cents}", f"{sign}{whole}.{cents}\u0301",
            f"-{amount}" if sign else f"-0.{cents}" if whole != "0" else "-1.00", f"{sign}{whole}_{cents}",
        ]))
        lines[where] = f"    {account}{' ' * max(2, 34 - len(account) - len(other))}{other} {written_unit}"
        return lines, "amount form"
    if kind == "account":
        member = account[len("members:"):] if account.startswith("members:") else "x"
        other = draw(st.sampled_from([
            "Coop", "coop:x", "members:" + member.upper(), "members:", "members: " + member, "members:coop", "member:" + member,
            "members:" + member + ":x", "members:é" + member, "members:" + "a" * 33, "Members:" + member, "assets",
            "members:" + member + "\u00a0", "members:" + member + "\u200b", "members:" + member + "\u2010",
        ]))
        lines[where] = f"    {other}{' ' * max(2, 34 - len(other) - len(amount))}{amount} {written_unit}"
        return lines, "account"
    if kind == "unit":
        other = draw(st.sampled_from(["h", "m", "s", "EUR", "€", "$", '"H H"', "H2", "HH", "h2", "\u0397", "Ｈ", "H\u0301", "1"] + list(UNITS))
                     .filter(lambda u: u != unit))
        if draw(st.booleans()):
            lines[where] = lines[where][: -len(written_unit) - 1] + " " + other
        else:
            lines[where] = f"    {account}{' ' * max(2, 34 - len(account) - len(amount) - len(other))}{other}{amount}"
        return lines, "commodity"
    if kind == "spacing":
        other_gap = draw(st.sampled_from(["\t", " ", "\u00a0\u00a0", "  \t", gap + " ", gap[1:] if len(gap) > 2 else "   "]))
        other_space = draw(st.sampled_from(["  ", "\t", "\u00a0"]))
        options = [
            draw(st.sampled_from(INDENTS)) + lines[where][4:],
            f"    {account}{other_gap}{amount} {written_unit}",
            f"    {account}{gap}{amount}{other_space}{written_unit}",
            lines[where] + draw(st.sampled_from([" ", "\t", "\u00a0", "\u200b"])),
        ]
        lines[where] = draw(st.sampled_from(options))
        return lines, "spacing"
    raise AssertionError(kind)


def _mutated_entry(draw, lines: list[str], kind: str, where: int) -> tuple[list[str], str]:
    if kind == "header":
        day, rest = SHAPES["header"].fullmatch(lines[where]).groups()
        year, month, dd = day.split("-")
        lines[where] = draw(st.sampled_from([
            f"{year}/{month}/{dd} * {rest}", f"{year}.{month}.{dd} * {rest}", f"{year[2:]}-{month}-{dd} * {rest}",
            f"{year}-{int(month)}-{dd} * {rest}" if month < "10" else f"{year}-{month}-{int(dd)} * {rest}" if dd < "10" else f"{year}-{month}-{dd}0 * {rest}",
            f"{month}-{dd} * {rest}", f"{month}/{dd} * {rest}", f"{day}={day} * {rest}", f"{day}=2027-01-15 * {rest}",
            f"{day} ! {rest}", f"{day} {rest}", f"{day} * (x) {rest}", f"{day} (x) * {rest}", f"{day}  * {rest}",
            f"{day} *  {rest}", f"{day}\t* {rest}", f"{day} *\t{rest}", f"{day} * {rest} ", f"{day} * {rest}  ; x",
            f"{day} * {rest}\t; x", f"{day} *", f"{day}*{rest}", f"{day} *{rest}", f" {day} * {rest}",
            f"{int(year) + 20000} * {rest}", f"{year}-{month}-{int(dd) + 31} * {rest}", f"{int(year) % FIRST_YEAR:04d}-{month}-01 * {rest}",
            f"{day} * {rest}  ", f"\ufeff{day} * {rest}", f"{day}\u00a0* {rest}", f"{day} *\u00a0{rest}",
        ]))
        return lines, "header form"
    if kind == "description":
        day, rest = SHAPES["header"].fullmatch(lines[where]).groups()
        lines[where] = f"{day} * " + draw(st.sampled_from([
            f"{rest};x", f"{rest} ;x", f"{rest}  x", f"{rest}\tx", f"{rest}\x00", f"{rest}\u2028", f"{rest}\u202e",
            f"{rest}\u2066", f"*{rest}", f"!{rest}", f"({rest}", f" {rest}", f"{rest} ", "", "x" * 201, f"{rest}\x7f",
        ]))
        return lines, "description"
    if draw(st.booleans()):  # a blank line inside an entry, or a missing one between two
        lines.insert(where + 1, "")
    else:
        blanks = [i for i, line in enumerate(lines) if not line]
        if not blanks:
            lines.insert(where + 1, "")
        else:
            del lines[draw(st.sampled_from(blanks))]
    return lines, "entry structure"


FILE_MUTATIONS = ["crlf", "one cr", "bom", "no final newline", "blank at start", "blank at end", "double blank", "space line",
                  "formfeed line", "tab line"]


def _file_mutation(text: str, name: str, spot: int) -> str:
    newlines = [i for i, char in enumerate(text) if char == "\n"] or [0]
    at = newlines[spot % len(newlines)]
    return {
        "crlf": lambda: text.replace("\n", "\r\n") or "\r\n",
        "one cr": lambda: text[:at] + "\r" + text[at:],
        "bom": lambda: "\ufeff" + text,
        "no final newline": lambda: text.rstrip("\n") or "x",
        "blank at start": lambda: "\n" + text,
        "blank at end": lambda: text + "\n",
        "double blank": lambda: text[:at] + "\n" + text[at:],
        "space line": lambda: text[:at] + "\n " + text[at:],
        "formfeed line": lambda: text[:at] + "\n\f" + text[at:],
        "tab line": lambda: text[:at] + "\n\t" + text[at:],
    }[name]()


@dataclass(frozen=True)
class Case:
    text: str
    unit: str
    mutations: tuple[str, ...] = field(default=())


@st.composite
def journal_cases(draw, unit: str | None = None, plain: bool = False) -> Case:
    """A file as coop writes it, or (half the time) a near miss with one to three changes coop must refuse.

    `plain` keeps the values to those the fast path for balances takes, so that its near misses test it too.
    """
    unit = unit or draw(st.sampled_from(UNITS) | st.from_regex(r"[A-Z]{1,6}", fullmatch=True))
    entries = draw(st.lists(canonical_entries(unit, plain), min_size=1, max_size=6) | st.just([]))
    lines = [line for entry in entries for line in ["", *entry_lines(entry, unit)]][1:]
    names: list[str] = []
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            if draw(st.integers(0, 4)) == 0:
                names.append(draw(st.sampled_from(FILE_MUTATIONS)))
            else:
                lines, name = draw(mutated(lines, unit))
                names.append(name)
    text = "".join(line + "\n" for line in lines)
    for name in names:
        if name in FILE_MUTATIONS:
            text = _file_mutation(text, name, draw(st.integers(0, 1000)))
    return Case(text, unit, tuple(names))


def journal_texts(unit: str = "H", plain: bool = False):
    return journal_cases(unit, plain).map(lambda case: case.text)


# ---------------------------------------------------------------- three readers

@dataclass(frozen=True)
class Transaction:
    line: int
    date: str
    description: str
    tags: tuple[tuple[str, str], ...]  # in written order, sig last
    postings: tuple[tuple[str, Decimal, str], ...]  # account, amount, commodity


@dataclass(frozen=True)
class Reading:
    transactions: tuple[Transaction, ...]
    balances: dict[str, Decimal]


ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "HOME": "/nonexistent"}


def coop_reading(entries: list[Entry], unit: str) -> Reading:
    balances: dict[str, Decimal] = {}
    for entry in entries:
        for posting in entry.postings:
            balances[posting.account] = balances.get(posting.account, Decimal(0)) + posting.amount
    return Reading(
        tuple(Transaction(e.where.line, e.date.isoformat(), e.description, e.tags + ((("sig", e.sig),) if e.sig is not None else ()),
                          tuple((p.account, p.amount, unit) for p in e.postings)) for e in entries),
        {account: amount for account, amount in balances.items() if amount},
    )


def _run(*args: str) -> str:
    """What a tool prints; it must exit 0 and say nothing on stderr, or it read the file otherwise than coop."""
    done = subprocess.run(list(args), capture_output=True, env=ENV)
    stdout, stderr = done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")
    if done.returncode or stderr.strip():
        raise Disagreement(f"{' '.join(args[:4])} exited {done.returncode}: {stderr.strip()[:300]}")
    return stdout


class Disagreement(Exception):
    pass


def hledger_reading(path: Path) -> Reading:
    printed = json.loads(_run("hledger", "-f", str(path), "print", "-O", "json"))
    transactions = []
    for t in printed:
        expected = {"tcode": "", "tdate2": None, "tstatus": "Cleared", "tprecedingcomment": ""}
        odd = {key: t[key] for key, value in expected.items() if t[key] != value}
        if odd:
            raise Disagreement(f"hledger reads {odd} in the transaction at line {t['tsourcepos'][0]['sourceLine']}")
        tags = tuple((key, value) for key, value in t["ttags"])
        comment = "".join(f"\n{key}: {value}" for key, value in tags) + ("\n" if tags else "")
        if t["tcomment"] != comment:
            raise Disagreement(f"hledger reads the comment {t['tcomment']!r}, not {comment!r}")
        postings = []
        for p in t["tpostings"]:
            expected = {"pbalanceassertion": None, "pcomment": "", "pdate": None, "pdate2": None, "pstatus": "Unmarked",
                        "ptags": [], "ptype": "RegularPosting"}
            odd = {key: p[key] for key, value in expected.items() if p[key] != value}
            if odd or len(p["pamount"]) != 1 or p["pamount"][0]["aprice"] is not None:
                raise Disagreement(f"hledger reads {odd or p['pamount']} in a posting of {p['paccount']}")
            amount = p["pamount"][0]
            quantity = Decimal(amount["aquantity"]["decimalMantissa"]).scaleb(-amount["aquantity"]["decimalPlaces"])
            postings.append((p["paccount"], quantity, amount["acommodity"]))
        transactions.append(Transaction(t["tsourcepos"][0]["sourceLine"], t["tdate"], t["tdescription"], tags, tuple(postings)))
    rows = list(csv.reader(io.StringIO(_run("hledger", "-f", str(path), "bal", "--flat", "--no-total", "-O", "csv"))))[1:]
    balances = {}
    for account, amount in rows:
        if amount.strip() not in ("0", ""):
            number, *commodity = amount.split()
            balances[account] = Decimal(number)
    return Reading(tuple(sorted(transactions, key=lambda t: t.line)), balances)  # print sorts by date


def ledger_reading(path: Path) -> Reading:
    """Ledger's xml gives no line numbers (they read 0): transactions are matched to coop's in order."""
    root = ElementTree.fromstring(_run("ledger", "--args-only", "-f", str(path), "xml"))
    transactions = []
    for t in root.iter("transaction"):
        children = {child.tag for child in t}
        if t.get("state") != "cleared" or children - {"date", "payee", "note", "metadata", "postings"}:
            raise Disagreement(f"ledger reads the state {t.get('state')} and {sorted(children)} in the transaction {t.findtext('payee')!r}")
        metadata = {value.get("key"): value.findtext("string") for value in t.iter("value")}
        note = t.findtext("note")
        written = [re.fullmatch(r" ([^: ]+): (.+)", line) for line in note.split("\n")] if note is not None else []
        tags = tuple((tag[1], tag[2]) for tag in written if tag)
        if not all(written) or dict(tags) != metadata or len(metadata) != len(tags):
            raise Disagreement(f"ledger reads the note {note!r} and the metadata {metadata}")
        postings = []
        for p in t.find("postings"):
            if set(p.attrib) != {"state"} or {child.tag for child in p} != {"account", "post-amount", "total"}:
                raise Disagreement(f"ledger reads {p.attrib} {[child.tag for child in p]} in a posting of {p.findtext('account/name')}")
            amounts = p.findall("post-amount/amount")
            if len(amounts) != 1 or amounts[0].find("price") is not None:
                raise Disagreement(f"ledger reads {len(amounts)} amounts or a price in a posting of {p.findtext('account/name')}")
            postings.append((p.findtext("account/name"), Decimal(amounts[0].findtext("quantity")), amounts[0].findtext("commodity/symbol")))
        transactions.append(Transaction(0, t.findtext("date").replace("/", "-"), t.findtext("payee"), tags, tuple(postings)))
    balances = {}
    shown = _run("ledger", "--args-only", "-f", str(path), "bal", "--flat", "--no-total", "--balance-format", "%(account)\t%(quantity(display_total))\n")
    for line in shown.splitlines():
        account, amount = line.split("\t")
        if Decimal(amount):
            balances[account] = Decimal(amount)
    return Reading(tuple(transactions), balances)


def disagreement(case: Case) -> str | None:
    """None if coop refuses the file, or if hledger and ledger read exactly what coop reads; else how they differ."""
    entries, problems = parse_journal(case.text, "2026-03.journal", case.unit)
    if problems:
        return None
    ours = coop_reading(entries, case.unit)
    with tempfile.TemporaryDirectory(prefix="coop-fuzz-") as folder:
        path = Path(folder) / "2026-03.journal"
        path.write_bytes(case.text.encode("utf-8"))
        try:
            hledger = hledger_reading(path)
            ledger = ledger_reading(path)
        except Disagreement as found:
            return str(found)
    if hledger != ours:
        return f"hledger reads {_difference(hledger, ours)}"
    unnumbered = Reading(tuple(replace(t, line=0) for t in ours.transactions), ours.balances)
    if ledger != unnumbered:
        return f"ledger reads {_difference(ledger, unnumbered)}"
    return None


def _difference(theirs: Reading, ours: Reading) -> str:
    if theirs.balances != ours.balances:
        return f"the balances {theirs.balances}, coop {ours.balances}"
    if len(theirs.transactions) != len(ours.transactions):
        return f"{len(theirs.transactions)} transactions, coop {len(ours.transactions)}"
    for mine, other in zip(ours.transactions, theirs.transactions):
        if mine != other:
            return f"{other}, coop {mine}"
    return "something else"


# ---------------------------------------------------------------- a run

@dataclass
class Tally:
    cases: int = 0
    accepted: int = 0
    near_misses: int = 0
    disagreements: list[str] = field(default_factory=list)

    def record(self, case: Case) -> None:
        """Read one case with all three; a near miss coop accepts, or any disagreement, fails the case."""
        entries, problems = parse_journal(case.text, "2026-03.journal", case.unit)
        self.cases += 1
        self.accepted += not problems
        self.near_misses += bool(case.mutations)
        if case.mutations and not problems:
            raise AssertionError(f"coop accepts a near miss ({', '.join(case.mutations)}): {case.text!r}")
        if not case.mutations and problems:
            raise AssertionError(f"coop refuses a file as coop writes it ({problems[0]}): {case.text!r}")
        found = disagreement(case)
        if found:
            raise AssertionError(f"{found}\nin {case.text!r} (unit {case.unit})")
