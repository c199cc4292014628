"""Journal text <-> entries: the canonical form coop writes and signs, and a reader for what hledger reads.

No I/O here: text in, entries and problems out. The signed bytes of an entry are its lines as written, minus `sig`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal, InvalidOperation

from coop_cli.i18n import _
from coop_cli.model import Entry, Location, Posting, format_hours

INDENT = "    "
AMOUNT_END = 34  # the column (after the indent) where amounts end, as in the spec's example
TAG_ORDER = ("id", "by", "kind", "cat", "reverses", "meeting", "decision")


@dataclass(frozen=True)
class Problem:
    """Something wrong found in the books, with where it is."""

    where: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def unbalanced_message(total: Decimal) -> str:
    return _("the postings do not balance (they sum to {total})").format(total=total)


def unbalanced(entries: list[Entry]) -> list[Problem]:
    """Entries whose postings do not sum to zero: a hand edit that hledger and ledger would refuse to read."""
    return [Problem(e.where, unbalanced_message(e.imbalance)) for e in entries if e.imbalance != 0]


# ---------------------------------------------------------------- writing

def posting_line(posting: Posting, unit: str) -> str:
    amount = format_hours(posting.amount)
    gap = max(2, AMOUNT_END - len(posting.account) - len(amount))
    return f"{INDENT}{posting.account}{' ' * gap}{amount} {unit}"


def entry_lines(entry: Entry, unit: str) -> list[str]:
    """The entry's lines as coop writes them, `sig` included when the entry has one."""
    lines = [f"{entry.date.isoformat()} * {entry.description}"]
    lines += [f"{INDENT}; {key}: {value}" for key, value in entry.tags]
    if entry.sig is not None:
        lines.append(f"{INDENT}; sig: {entry.sig}")
    lines += [posting_line(p, unit) for p in entry.postings]
    return lines


def format_entry(entry: Entry, unit: str) -> str:
    return "".join(line + "\n" for line in entry_lines(entry, unit))


def signed_bytes(entry: Entry, unit: str) -> bytes:
    """What the recorder signs: the entry's lines exactly as in the file, without `sig`, each ending in a newline."""
    lines = entry.lines if entry.lines else tuple(entry_lines(replace(entry, sig=None), unit))
    return "".join(line + "\n" for line in lines if not _SIG_LINE.match(line)).encode("utf-8")


def append_text(existing: str, entry_texts: list[str]) -> str:
    """The file after appending entries: one blank line between transactions, whatever the file ended with."""
    if existing and not existing.endswith("\n"):
        existing += "\n"
    separator = "\n" if existing and not existing.endswith("\n\n") else ""
    return existing + separator + "\n".join(entry_texts)


# ---------------------------------------------------------------- reading

_HEADER = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:=\S+)?(?:\s+([*!]))?(?:\s+\(([^)]*)\))?(?:\s+(.*))?", re.ASCII)
_SIG_LINE = re.compile(r"\s+;\s*sig:", re.ASCII)
_TAG = re.compile(r";\s*([\w-]+):\s?(.*)")
_POSTING = re.compile(r"(?P<account>[^\s;](?:[^;\t]*?[^\s;])?)(?:(?:\t|  )\s*(?P<amount>[^;]*?))?\s*(?:;.*)?", re.ASCII)
_AMOUNT = re.compile(r"(?P<sign>-?)\s*(?:(?P<pre>[A-Za-z\"]+)\s*)?(?P<sign2>-?)(?P<number>\d+(?:\.\d*)?|\.\d+)\s*(?P<post>[A-Za-z\"]+)?", re.ASCII)


def parse_journal(text: str, path: str, first_line: int = 1, unit: str | None = None) -> tuple[list[Entry], list[Problem]]:
    """Read every transaction of a journal file; lines coop cannot read become problems, not exceptions.

    `first_line` numbers the lines of a file's tail as they stand in the whole file.
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    block: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), start=first_line):
        if line[:1] in (" ", "\t") and line.strip() and block:
            block.append(line)
            continue
        if block:
            _finish(block, Location(path, start), entries, problems)
            block = []
        stripped = line.strip()
        if not stripped or line[0] in ";#*%|":
            continue
        if line[0] in " \t":
            problems.append(Problem(Location(path, number), _("an indented line outside any transaction")))
        elif line[0].isdigit():
            block, start = [line], number
        else:
            problems.append(Problem(Location(path, number), _("a line coop cannot read: {line!r}").format(line=line[:60])))
    if block:
        _finish(block, Location(path, start), entries, problems)
    return entries, problems


def _finish(lines: list[str], where: Location, entries: list[Entry], problems: list[Problem]) -> None:
    try:
        entries.append(parse_entry(lines, where))
    except ValueError as problem:
        problems.append(Problem(where, str(problem)))


def parse_entry(lines: list[str], where: Location | None = None) -> Entry:
    """One transaction from its lines; raises ValueError with a plain sentence if it cannot be read."""
    header = _HEADER.fullmatch(lines[0].rstrip())
    if not header:
        raise ValueError(_("cannot read the transaction header {line!r}").format(line=lines[0][:60]))
    try:
        when = date(int(header[1]), int(header[2]), int(header[3]))
    except ValueError:
        raise ValueError(_("the date in {line!r} does not exist").format(line=lines[0][:60])) from None
    description, _comment, header_comment = (header[6] or "").partition(";")
    description = description.strip()
    tags: list[tuple[str, str]] = []
    sig = None
    if header_comment:
        tags += _comment_tags(header_comment)
    postings: list[Posting] = []
    missing: list[str] = []
    for line in lines[1:]:
        body = line.strip()
        if body.startswith(";") or body.startswith("#"):
            tag = _TAG.fullmatch(body.rstrip())
            if tag and tag[1] == "sig" and not postings:
                sig = tag[2].strip()
            elif tag and not postings:
                tags.append((tag[1], tag[2].rstrip()))
            continue
        posting = _POSTING.fullmatch(body)
        if not posting:
            raise ValueError(_("cannot read the posting {line!r}").format(line=body[:60]))
        account, amount_text = posting["account"], (posting["amount"] or "").strip()
        if not amount_text:
            missing.append(account)
            continue
        postings.append(Posting(account, _parse_amount(amount_text)))
    if len(missing) > 1:
        raise ValueError(_("more than one posting has no amount"))
    if missing:
        postings.append(Posting(missing[0], -sum((p.amount for p in postings), Decimal(0))))
    if not postings:
        raise ValueError(_("the transaction has no postings"))
    return Entry(when, description, tuple(tags), tuple(postings), sig, where, tuple(lines))


def _comment_tags(comment: str) -> list[tuple[str, str]]:
    return [(m[1], m[2].strip()) for m in re.finditer(r"([\w-]+):\s?([^,]*)", comment)]


def _parse_amount(text: str) -> Decimal:
    amount = _AMOUNT.fullmatch(text)
    if not amount or (amount["sign"] and amount["sign2"]):
        raise ValueError(_("cannot read the amount {text!r}").format(text=text[:30]))
    try:
        value = Decimal(amount["number"])
    except InvalidOperation:
        raise ValueError(_("cannot read the amount {text!r}").format(text=text[:30])) from None
    return -value if amount["sign"] or amount["sign2"] else value


# ---------------------------------------------------------------- the fast path for balances

@dataclass(frozen=True)
class FileSummary:
    """What a journal file adds to the balances, in hundredths, and the dates it spans."""

    balances: dict[str, int]
    entries: int
    first: str  # ISO dates, as written
    last: str


_FAST_POSTING: dict[str, re.Pattern] = {}
_FAST_HEADER = re.compile(r"\n\n([0-9]{4}-[0-9]{2}-[0-9]{2}) \* [^\n;]*(?=\n)")
_FIRST_HEADER = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2}) \* [^\n;]*\n")


def summarise_file(text: str, unit: str) -> FileSummary | None:
    """Balances of a journal in the exact form coop writes, read with a few scans instead of a parse.

    Every line must be a header, a `    ; tag` line, a posting `    ACCOUNT  AMOUNT UNIT` or the one blank line
    between entries: the lines of each kind are counted and must add up to all the lines, or this returns
    None and the caller reads the file in full. So a hand-written entry in any other form is never misread.
    """
    if not text:
        return FileSummary({}, 0, "", "")
    if not text.endswith("\n") or text.endswith("\n\n") or "\n\n\n" in text or "\r" in text:
        return None
    first = _FIRST_HEADER.match(text)
    if first is None:
        return None
    posting = _FAST_POSTING.get(unit)
    if posting is None:
        posting = _FAST_POSTING[unit] = re.compile(
            r"\n    (members:[a-z][a-z0-9_-]*|coop) +(-?[0-9]+)\.([0-9]{2}) " + re.escape(unit) + r"(?=\n)"
        )
    dates = [first[1], *_FAST_HEADER.findall(text)]
    blanks = text.count("\n\n")
    tags = text.count("\n    ; ")
    found = posting.findall(text)
    if len(found) != 2 * len(dates) or len(dates) + blanks + tags + len(found) != text.count("\n") or blanks != len(dates) - 1:
        return None  # not in coop's form: two postings per entry, and every line accounted for
    amounts = [int(whole + hundredths) for _account, whole, hundredths in found]  # "-2" + "50" is -250
    if any(map(int.__add__, amounts[0::2], amounts[1::2])):
        return None  # an entry does not balance: the full read says which
    balances: dict[str, int] = {}
    for (account, _whole, _hundredths), amount in zip(found, amounts):
        balances[account] = balances.get(account, 0) + amount
    return FileSummary(balances, len(dates), min(dates), max(dates))
