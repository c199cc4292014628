"""Journal text <-> entries: the one form coop writes and signs, and the one reader, which reads that form alone.

No I/O here: text in, entries and problems out. The signed bytes of an entry are its lines as written, minus `sig`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal

from coop_cli import meetings as meetings_format
from coop_cli.errors import BadInput
from coop_cli.i18n import _
from coop_cli.model import (
    COOP_ACCOUNT, KINDS, MEMBER_ID, MEMBER_PREFIX, Charter, Entry, Location, Posting,
    check_member_id, check_tag_value, check_text, format_hours,
)

INDENT = "    "
AMOUNT_END = 34  # the column (after the indent) where amounts end, as in the spec's example
TAG_ORDER = ("id", "by", "kind", "cat", "reverses", "meeting", "decision")  # then `sig`, last
POSTINGS = 2  # the payer's and the earner's
FIRST_YEAR = 1400  # ledger reads no year before it (and Python none after 9999)


@dataclass(frozen=True)
class Problem:
    """Something wrong found in the books, with where it is."""

    where: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


def unbalanced_message(total: Decimal) -> str:
    return _("the postings do not balance (they sum to {total})").format(total=total)


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
    """What the recorder signs: the entry's lines without `sig`, each ending in a newline.

    These are its lines exactly as in the file, since the reader reads only entries that `entry_lines` writes.
    """
    return format_entry(replace(entry, sig=None), unit).encode("utf-8")


def append_text(existing: str, entry_texts: list[str]) -> str:
    """The file after appending entries: one blank line between transactions, whatever the file ended with."""
    if existing and not existing.endswith("\n"):
        existing += "\n"
    separator = "\n" if existing and not existing.endswith("\n\n") else ""
    return existing + separator + "\n".join(entry_texts)


# ---------------------------------------------------------------- the fields of an entry

# One pattern per field, used by the reader (with a sentence when a field does not match) and by the fast path;
# possessive (`*+`), so that the fast path never backtracks through a file.
ULID = r"[0-7][0-9A-HJKMNP-TV-Z]{25}"
MEMBER = rf"(?!{COOP_ACCOUNT}(?![a-z0-9_-])){MEMBER_ID.pattern}+"  # model.check_member_id's rule
ACCOUNT = rf"(?:{COOP_ACCOUNT}|{MEMBER_PREFIX}{MEMBER})"
AMOUNT = r"-?+(?:0|[1-9][0-9]*+)\.[0-9]{2}"  # format_hours: two decimals, no sign but -, no leading zero
BASE64 = r"[A-Za-z0-9+/]++={0,2}"  # whether it decodes to a signature is verify's question
CATEGORY = r"(?=[^\n]{1,60}(?![^\n]))\w[\w'.-]*+(?: [\w'.-]++)*+"  # model.check_tag_value's rule
TAG_PATTERNS = {
    "id": ULID,
    "by": MEMBER,
    "kind": "|".join(KINDS),
    "cat": CATEGORY,
    "reverses": ULID,
    "meeting": meetings_format.SLUG.pattern,
    "decision": meetings_format.DECISION_ID.pattern,
    "sig": BASE64,
}
_TAG_VALUE = {key: re.compile(pattern) for key, pattern in TAG_PATTERNS.items()}
_ACCOUNT = re.compile(ACCOUNT)
_AMOUNT = re.compile(AMOUNT)


def check_date(when: date) -> date:
    """A date hledger and ledger both read; BadInput says why not."""
    if when.year < FIRST_YEAR:
        raise BadInput(_("the date {date} is before {year}, the first year ledger reads").format(date=when.isoformat(), year=FIRST_YEAR))
    return when


def check_description(text: str) -> str:
    """A description the journal holds and hledger and ledger read as coop does; BadInput says why not."""
    return check_text(text, _("the description"))


def tag_problem(key: str, value: str) -> str | None:
    """Why a tag's value is not one coop writes, or None if it is."""
    if _TAG_VALUE[key].fullmatch(value):
        return None
    try:
        if key == "cat":
            check_tag_value(value, _("the category"))
        elif key == "by":
            check_member_id(value)
    except BadInput as problem:
        return problem.message
    return _("the tag {key} cannot hold {value!r}").format(key=key, value=value[:60])


def _postings_problem(postings: list[Posting]) -> tuple[int | None, str] | None:
    """The rule on an entry's postings, in one place: which posting (None: the entry as a whole) breaks it, and how."""
    if len(postings) != POSTINGS:
        return (None if len(postings) < POSTINGS else POSTINGS), _("an entry must have two postings, the payer's and the earner's")
    total = sum((p.amount for p in postings), Decimal(0))
    if total != 0:
        return None, unbalanced_message(total)
    return None


# ---------------------------------------------------------------- reading

class _Unreadable(ValueError):
    """An entry that is not in coop's form: the line of the entry (0 for its header) and why."""

    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset
        self.message = message


_HEADER = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2}) \* (.*)", re.ASCII)
_TAG_LINE = re.compile(r"    ; ([^:\s]+): (.*)")
_POSTING_LINE = re.compile(r"    (\S+) +(\S+) (\S+)", re.ASCII)
_DIRECTIVES = {"account", "alias", "apply", "assert", "bucket", "capture", "check", "comment", "commodity", "D", "decimal-mark",
               "define", "end", "eval", "expr", "include", "N", "P", "payee", "tag", "test", "Y", "year"}


def parse_journal(text: str, path: str, unit: str = Charter.unit, first_line: int = 1) -> tuple[list[Entry], list[Problem]]:
    """Every entry of a journal file in coop's one form, and a problem naming `path:line` for anything else.

    A file is empty, or entries each exactly as `format_entry` writes it in the charter's `unit`, one blank
    line between two, the last ending in a newline: no comment, directive, other commodity or other spacing,
    since hledger or ledger may read those differently than coop. An entry without `sig` is read (verify says
    it is unsigned). The readable entries of a file with problems are returned too, so that verify can still
    judge them; every other caller refuses the file. `first_line` > 1 reads the tail of a file after its line
    `first_line - 1`, which ended an entry: the tail starts with the blank line before its first entry.
    """
    entries: list[Entry] = []
    problems: list[Problem] = []
    lines = text.split("\n")
    if lines[-1]:
        problems.append(Problem(Location(path, first_line + len(lines) - 1), _("the file does not end with a newline")))
    else:
        lines.pop()
    if first_line > 1 and lines and lines[0]:
        problems.append(Problem(Location(path, first_line), _("entries are separated by exactly one blank line")))
    block: list[str] = []
    for index, line in enumerate(lines):
        if line:
            block.append(line)
            continue
        if block:
            _read_block(block, Location(path, first_line + index - len(block)), unit, entries, problems)
            block = []
        after_blank = index > 0 and not lines[index - 1] or index == 0 and first_line == 1
        if after_blank or index == len(lines) - 1:
            problems.append(Problem(Location(path, first_line + index), _("entries are separated by exactly one blank line")))
    if block:
        _read_block(block, Location(path, first_line + len(lines) - len(block)), unit, entries, problems)
    return entries, problems


def _read_block(lines: list[str], where: Location, unit: str, entries: list[Entry], problems: list[Problem]) -> None:
    try:
        entries.append(read_entry(lines, unit, where))
    except _Unreadable as problem:
        problems.append(Problem(Location(where.path, where.line + problem.offset), problem.message))


def read_entry(lines: list[str], unit: str, where: Location | None = None) -> Entry:
    """One entry from its lines, which must be exactly what `entry_lines` writes for it; _Unreadable says where not."""
    for offset, line in enumerate(lines):
        if "\r" in line:
            raise _Unreadable(offset, _("a carriage return (\\r) ends this line: coop writes lines ending in \\n alone"))
    when, description = _header(lines[0])
    tags: list[tuple[str, str]] = []
    sig = None
    offset = 1
    while offset < len(lines) and lines[offset].startswith(INDENT + ";"):
        key, value = _tag(lines[offset], offset, [k for k, _v in tags] + (["sig"] if sig is not None else []))
        if key == "sig":
            sig = value
        else:
            tags.append((key, value))
        offset += 1
    postings = [_posting(line, offset + n, unit) for n, line in enumerate(lines[offset:])]
    broken = _postings_problem(postings)
    if broken:
        index, message = broken
        raise _Unreadable(0 if index is None else offset + index, message)
    entry = Entry(when, description, tuple(tags), tuple(postings), sig, where, tuple(lines))
    for number, (written, read) in enumerate(zip(entry_lines(entry, unit), lines)):
        if written != read:  # every field was checked above; this holds the reader to the writer, byte for byte
            raise _Unreadable(number, _("the line is not as coop writes it: {line!r}").format(line=read[:60]))
    return entry


def _header(line: str) -> tuple[date, str]:
    header = _HEADER.fullmatch(line)
    if not header:
        raise _Unreadable(0, _outside_entry(line))
    try:
        when = date(int(header[1]), int(header[2]), int(header[3]))
    except ValueError:
        raise _Unreadable(0, _("the date in {line!r} does not exist").format(line=line[:60])) from None
    try:
        return check_date(when), check_description(header[4])
    except BadInput as problem:
        raise _Unreadable(0, problem.message) from None


def _outside_entry(line: str) -> str:
    """What a line that does not start an entry is, in the words of the people who might have written it."""
    if line.startswith("\ufeff"):
        return _("a byte order mark (BOM), which coop never writes")
    if line[:1] in (" ", "\t"):
        return _("an indented line outside any transaction")
    if line[:1] in tuple(";#*%|"):
        return _("a comment outside an entry ({line!r}): a journal holds entries and nothing else").format(line=line[:60])
    first_word = (line.split(maxsplit=1) or [""])[0]
    if first_word in _DIRECTIVES or line[:1] in tuple("~=!@-"):
        return _("a directive ({line!r}): a journal holds entries and nothing else").format(line=line[:60])
    return _("cannot read the transaction header {line!r}").format(line=line[:60])


def _tag(line: str, offset: int, seen: list[str]) -> tuple[str, str]:
    tag = _TAG_LINE.fullmatch(line)
    if not tag:
        raise _Unreadable(offset, _("cannot read the tag line {line!r}: tags are written '    ; key: value'").format(line=line[:60]))
    key, value = tag[1], tag[2]
    if key not in TAG_PATTERNS:
        raise _Unreadable(offset, _("the tag {key!r} is not one coop writes ({keys})").format(key=key[:30], keys=", ".join(TAG_PATTERNS)))
    order = [*TAG_ORDER, "sig"]
    if seen and order.index(key) <= order.index(seen[-1]):
        raise _Unreadable(offset, _("the tag {key} is repeated or out of order: coop writes {keys}, each at most once").format(key=key, keys=", ".join(order)))
    problem = tag_problem(key, value)
    if problem:
        raise _Unreadable(offset, problem)
    return key, value


def _posting(line: str, offset: int, unit: str) -> Posting:
    posting = _POSTING_LINE.fullmatch(line)
    if not posting:
        raise _Unreadable(offset, _("cannot read the posting {line!r}").format(line=line[:60]))
    account, amount, commodity = posting[1], posting[2], posting[3]
    if not _ACCOUNT.fullmatch(account):
        raise _Unreadable(offset, _("the account {account!r} is neither coop nor members:ID").format(account=account[:60]))
    if not _AMOUNT.fullmatch(amount):
        raise _Unreadable(offset, _("cannot read the amount {text!r} (coop writes amounts like 2.50 or -0.25)").format(text=amount[:30]))
    if commodity != unit:
        raise _Unreadable(offset, _("the amount is in {commodity!r}, not in {unit}, the charter's unit").format(commodity=commodity[:30], unit=unit))
    if Decimal(amount) == 0:
        raise _Unreadable(offset, _("a posting of zero hours moves nothing"))
    return Posting(account, Decimal(amount))


# ---------------------------------------------------------------- the fast path for balances

@dataclass(frozen=True)
class FileSummary:
    """What a journal file adds to the balances, in hundredths, and the dates it spans."""

    balances: dict[str, int]
    entries: int
    first: str  # ISO dates, as written
    last: str


# Descriptions the fast path takes without asking check_description: words, ASCII punctuation but `;`, single
# spaces. A subset of what the reader accepts (a test holds it to that); any other description is read in full.
_PLAIN = r"[\w!\"#$%&'()*+,\-./:<=>?@\[\\\]^`{|}~’«»–—…€°]"
PLAIN_DESCRIPTION = rf"(?=[^\n]{{1,200}}\n)(?![*!(]){_PLAIN}++(?: {_PLAIN}++)*+"
_FAST: dict[str, tuple[re.Pattern, re.Pattern]] = {}
_LATER_DATES = re.compile(r"\n\n([0-9]{4}-[0-9]{2}-[0-9]{2}) ")


def _fast_patterns(unit: str) -> tuple[re.Pattern, re.Pattern]:
    """The whole file in coop's form, and its postings, as two regular expressions built from the field patterns."""
    if unit not in _FAST:
        u = re.escape(unit)
        tags = "".join(rf"(?:{INDENT}; {key}: (?:{TAG_PATTERNS[key]})\n)?" for key in (*TAG_ORDER, "sig"))
        posting = (  # aligned as posting_line aligns it: amounts end at AMOUNT_END, or two spaces after a long account
            rf"{INDENT}(?:(?=[^\n]{{{AMOUNT_END}}} {u}\n){ACCOUNT} ++{AMOUNT}|(?=[^\n]{{{AMOUNT_END + 1},}} {u}\n){ACCOUNT}  {AMOUNT}) {u}\n"
        )
        entry = rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} \* {PLAIN_DESCRIPTION}\n{tags}{posting * POSTINGS}"
        _FAST[unit] = (
            re.compile(rf"(?:{entry}\n)*{entry}"),
            re.compile(rf"\n{INDENT}({ACCOUNT}) +(-?[0-9]+)\.([0-9]{{2}}) {u}(?=\n)"),
        )
    return _FAST[unit]


def summarise_file(text: str, unit: str) -> FileSummary | None:
    """Balances of a journal in the exact form coop writes, read with a few scans instead of a parse.

    One regular expression, made of the reader's own field patterns, must match the whole file; the dates must
    exist, the amounts be non-zero and each entry balance. Otherwise this returns None and the caller reads the
    file in full, which names the problem: this never takes a file that `parse_journal` refuses.
    """
    if not text:
        return FileSummary({}, 0, "", "")
    whole, posting = _fast_patterns(unit)
    if not whole.fullmatch(text):
        return None
    dates = [text[:10], *_LATER_DATES.findall(text)]
    if min(dates) < f"{FIRST_YEAR:04d}":
        return None
    for day in set(dates):
        try:
            date.fromisoformat(day)
        except ValueError:
            return None
    found = posting.findall(text)
    amounts = [int(whole_part + hundredths) for _account, whole_part, hundredths in found]  # "-2" + "50" is -250
    if not all(amounts) or any(map(int.__add__, amounts[0::2], amounts[1::2])):
        return None  # a zero amount, or an entry that does not balance: the full read says which
    balances: dict[str, int] = {}
    for (account, _whole, _hundredths), amount in zip(found, amounts):
        balances[account] = balances.get(account, 0) + amount
    return FileSummary(balances, len(dates), min(dates), max(dates))
