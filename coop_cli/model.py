"""The cooperative's nouns as frozen values: hours, members, the charter's rules, journal entries.

Hours are `Decimal`, never floats; every parser of user text into these values lives here or in a format module.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Iterable, TypeVar

from coop_cli.errors import BadInput
from coop_cli.i18n import _

COOP_ACCOUNT = "coop"
MEMBER_PREFIX = "members:"
ROLES = ("treasurer", "secretary", "auditor")
MANAGERS = ("treasurer", "secretary")  # the roles that may change the register and the minutes
STATUSES = ("active", "suspended", "left")
HISTORY_ITEM = re.compile(r"(active|suspended|left) until (D-[0-9]{4}-[0-9]{3,})", re.ASCII)  # an earlier status, and the decision that ended it
KINDS = ("exchange", "reversal", "meeting")

MEMBER_ID = re.compile(r"[a-z][a-z0-9_-]{0,31}")
HOUR_DIGITS = Decimal("0.01")
MAX_TEXT = 200


# ---------------------------------------------------------------- hours

_DECIMAL = re.compile(r"(\d{1,6})(?:[.,](\d{1,6}))?(?:\s*h)?", re.ASCII)
_H_MIN = re.compile(r"(\d{1,6})\s*h\s*(?:(\d{1,2})\s*(?:m|min)?)?", re.ASCII)
_MIN = re.compile(r"(\d{1,7})\s*(?:m|min)", re.ASCII)
_CLOCK = re.compile(r"(\d{1,6}):(\d{2})", re.ASCII)


def parse_hours(text: str) -> Decimal:
    """Read an amount of hours as people write it: `2`, `1.5`, `2,5`, `1h30`, `90m`, `0:45`.

    Returns an exact Decimal; the sign and the charter's step are checked elsewhere, but a
    negative amount is named as such here because it is the likeliest mistake.
    """
    hours = _read_hours(text)
    if hours <= 0:
        raise BadInput(_("hours must be positive, got {text!r}").format(text=text))
    if hours != hours.quantize(HOUR_DIGITS):
        raise BadInput(_("{text!r} is finer than a hundredth of an hour, which is how hours are written").format(text=text))
    return hours


def _read_hours(text: str) -> Decimal:
    raw = text.strip().lower()
    if raw.startswith("-"):
        return Decimal(-1)
    if m := _DECIMAL.fullmatch(raw):
        return Decimal(f"{m[1]}.{m[2] or 0}")
    if m := _H_MIN.fullmatch(raw):
        return _hours_minutes(text, int(m[1]), int(m[2] or 0))
    if m := _MIN.fullmatch(raw):
        return _minutes(text, int(m[1]))
    if m := _CLOCK.fullmatch(raw):
        return _hours_minutes(text, int(m[1]), int(m[2]))
    raise BadInput(
        _("cannot read {text!r} as hours (write 2, 1.5, 2,5, 1h30, 90m or 0:45)").format(text=text)
    )


def _hours_minutes(text: str, hours: int, minutes: int) -> Decimal:
    if minutes >= 60:
        raise BadInput(_("cannot read {text!r} as hours: minutes must be below 60").format(text=text))
    return hours + _minutes(text, minutes)


def _minutes(text: str, minutes: int) -> Decimal:
    """Minutes as exact hours; amounts the journal cannot write to the hundredth are refused."""
    if minutes % 3:
        raise BadInput(
            _("{text!r}: minutes must be a multiple of 3, since hours are written to the hundredth (36 seconds)").format(text=text)
        )
    return Decimal(minutes) / 60


def format_hours(hours: Decimal) -> str:
    """The canonical text of an amount: two decimals, no thousands separator (`1,500` is 1.5 to hledger)."""
    return f"{hours.quantize(HOUR_DIGITS):f}"


def parse_decimal(value: object, what: str) -> Decimal:
    """A number from YAML or the command line as an exact Decimal (YAML floats go through their text)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise BadInput(_("{what} must be a number, got {value!r}").format(what=what, value=value))
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadInput(_("{what} must be a number, got {value!r}").format(what=what, value=value)) from None
    if not number.is_finite():
        raise BadInput(_("{what} must be a finite number, got {value!r}").format(what=what, value=value))
    return number


# ---------------------------------------------------------------- dates

def parse_date(text: str, what: str = "--date") -> date:
    """An ISO date `YYYY-MM-DD`, the only form the journal writes."""
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text.strip()):
        raise BadInput(_("{what} must be a date written YYYY-MM-DD, got {text!r}").format(what=what, text=text))
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise BadInput(_("{what}: there is no day {text} in the calendar").format(what=what, text=text.strip())) from None


# ---------------------------------------------------------------- text that enters the journal

_BIDI = set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))


def check_line(text: str, what: str, longest: int = MAX_TEXT) -> str:
    """Refuse text that would not stay one line of a file, or could disguise what it says: what every line typed must meet.

    Newlines and other control characters would end the line; bidirectional overrides can make it display differently
    from what is written (and signed).
    """
    if not text:
        raise BadInput(_("{what} must not be empty").format(what=what))
    if len(text) > longest:
        raise BadInput(_("{what} is longer than {n} characters").format(what=what, n=longest))
    if text != text.strip():
        raise BadInput(_("{what} must not start or end with a space").format(what=what))
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp", "Cs", "Co", "Cn") or ord(char) in _BIDI:
            raise BadInput(
                _("{what} contains the control character U+{code:04X}, which the books cannot hold").format(
                    what=what, code=ord(char)
                )
            )
    return text


def check_text(text: str, what: str) -> str:
    """Refuse text that would not round-trip through a journal line or could disguise what it says.

    Besides `check_line`: `;` starts a comment for hledger and ledger; leading `*`, `!` or `(` would read as a status
    or a code; two spaces end a field.
    """
    check_line(text, what)
    if ";" in text:
        raise BadInput(_("{what} must not contain ';', which starts a comment in the journal").format(what=what))
    if "  " in text:
        raise BadInput(_("{what} must not contain two spaces in a row, which end a field in the journal").format(what=what))
    if text[0] in "*!(":
        raise BadInput(
            _("{what} must not start with {char!r}, which the journal reads as a status or a code").format(
                what=what, char=text[0]
            )
        )
    return text


_TAG_VALUE = re.compile(r"[\w][\w' .-]*", re.UNICODE)


def check_tag_value(text: str, what: str) -> str:
    """Tag values (category, reason codes) are words: no comma, colon or `;`, which hledger and ledger split on."""
    check_text(text, what)
    if len(text) > 60 or not _TAG_VALUE.fullmatch(text):
        raise BadInput(
            _("{what} may hold only letters, digits, spaces, '-', '_', '.' and apostrophes, got {text!r}").format(
                what=what, text=text
            )
        )
    return text


def check_member_id(text: str) -> str:
    if text == COOP_ACCOUNT:
        raise BadInput(_("'coop' is the coop's own account and cannot be a member id"))
    if not MEMBER_ID.fullmatch(text):
        raise BadInput(
            _("{text!r} is not a valid member id (lowercase ascii letters, digits, '-' or '_', starting with a letter)").format(
                text=text
            )
        )
    return text


# ---------------------------------------------------------------- signatures

LEDGER_NAMESPACE = "coop-ledger"


def namespace_for(fingerprint: str) -> str:
    """The SSHSIG namespace of a coop's entries, naming its genesis: a signature made for one coop is worthless in another."""
    return f"{LEDGER_NAMESPACE}@{fingerprint}"


# ---------------------------------------------------------------- accounts

def member_account(member_id: str) -> str:
    return MEMBER_PREFIX + member_id


def account_member(account: str) -> str | None:
    """The member id behind an account, or None for the coop's own account (and anything else)."""
    return account[len(MEMBER_PREFIX):] if account.startswith(MEMBER_PREFIX) else None


def party_account(party: str) -> str:
    """PAYER and EARNER on the command line: a member id, or `coop` for the coop's own account."""
    return COOP_ACCOUNT if party == COOP_ACCOUNT else member_account(party)


def party(account: str | None) -> str:
    """An account as people say it, the inverse of `party_account`: `members:agnes` is agnes."""
    return account_member(account or "") or account or "?"


def folded(text: str) -> str:
    """Text as people compare it by eye: no case, no accents (`gaelle` is `Gaëlle`, `creer` finds "Créer")."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


Named = TypeVar("Named")


def similar(named: str, choices: Iterable[tuple[Named, tuple[str, ...]]], most: int = 3) -> list[Named]:
    """What `named` may mean among `choices`, each given with the spellings it answers to (a member: id and name; a
    category: itself): the same spelling but for case and accents, else a word of its last spelling (a name), else a
    small typo away (difflib, the closest first); at most `most`. What suggests members suggests categories too."""
    wanted = folded(" ".join(named.split()))
    if not wanted:
        return []
    choices = list(choices)
    same = [item for item, spellings in choices if wanted in map(folded, spellings)]
    if same:
        return same[:most]
    words = [item for item, spellings in choices if wanted in re.split(r"[\s'-]+", folded(spellings[-1]))]
    if words:
        return words[:most]
    found: dict[str, Named] = {}
    for item, spellings in choices:
        for spelling in spellings:
            found.setdefault(folded(spelling), item)
    close = difflib.get_close_matches(wanted, list(found), n=len(found), cutoff=0.75)
    return list(dict.fromkeys(found[spelling] for spelling in close))[:most]


# ---------------------------------------------------------------- values

@dataclass(frozen=True)
class Exchange:
    """An exchange as typed by a user, before it is checked: the raw fields of `coop record` or a batch row."""

    payer: str
    earner: str
    hours: str
    description: str
    when: str | None = None
    cat: str | None = None


@dataclass(frozen=True)
class Service:
    """A service a member offers or wants: what they say of it, its category, when they are available, the day it was
    added and the last day it holds (none: until withdrawn). The register's older form, a plain word, is a text alone."""

    text: str
    cat: str | None = None
    availability: str | None = None
    added: date | None = None
    until: date | None = None

    def current(self, day: date) -> bool:
        """Still offered (or wanted) on `day`: an expired service is hidden, never deleted."""
        return self.until is None or day <= self.until


@dataclass(frozen=True)
class Member:
    id: str
    name: str
    since: date
    status: str = "active"
    roles: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()          # OpenSSH public key lines, as written in members.yaml
    offers: tuple[Service, ...] = ()
    wants: tuple[Service, ...] = ()
    decisions: tuple[str, ...] = ()     # the decisions that changed their status or roles, oldest first
    history: tuple[str, ...] = ()       # their earlier statuses, oldest first: `active until D-2026-003`

    @property
    def account(self) -> str:
        return member_account(self.id)

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def manages(self) -> bool:
        """An active treasurer or secretary: who may change the register and write the minutes."""
        return self.active and bool(set(self.roles) & set(MANAGERS))


@dataclass(frozen=True)
class Group:
    """A working group set up by a decision, and who is in it."""

    name: str
    members: tuple[str, ...] = ()
    decision: str | None = None


@dataclass(frozen=True)
class Decision:
    """A numbered decision of a meeting, its vote and its outcome under the charter's quorum and majority."""

    id: str
    text: str
    votes_for: int = 0
    against: int = 0
    abstain: int = 0
    consensus: bool = False
    outcome: str = "adopted"  # adopted | rejected | no quorum


@dataclass(frozen=True)
class Closing:
    """What closing a meeting wrote in its minutes: the quorum count, who earned the meeting credit and who did not."""

    present: int
    active: int
    quorum: Decimal
    met: bool
    hours: Decimal
    credited: tuple[str, ...] = ()
    uncredited: tuple[str, ...] = ()


@dataclass(frozen=True)
class Meeting:
    """One meeting's minutes: who came, what was said, what was decided; closed minutes never change.

    `language` is the language the minutes are written in (the charter's when they were opened), kept as they grow.
    """

    slug: str
    title: str
    date: date
    duration: Decimal
    place: str = ""
    status: str = "open"  # open | closed
    attendees: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    decisions: tuple[Decision, ...] = ()
    closing: Closing | None = None
    language: str = "en"


@dataclass(frozen=True)
class Charter:
    name: str
    unit: str = "H"
    step: Decimal = Decimal("0.25")
    max_exchange: Decimal = Decimal("24")
    min_balance: Decimal = Decimal("-20")
    max_balance: Decimal = Decimal("100")
    recorders: tuple[str, ...] = ("treasurer",)
    meeting_credit: bool = True
    quorum: Decimal = Decimal("0.5")
    majority: str = "simple"
    signed_commits: str = "required"
    language: str = "en"  # the language the minutes are written in
    categories: tuple[str, ...] = ()  # shared by exchanges, offers, wants and needs; none: any category is taken
    bulletin_balances: bool = False   # whether the monthly bulletin may print members' balances


@dataclass(frozen=True)
class Need:
    """A need the coop wants to answer (alimentation, logement...), placed on the matrix by an adopted decision:
    urgency and difficulty from 1 to 4, and the categories of the offers and wants that touch it."""

    name: str
    urgency: int
    difficulty: int
    categories: tuple[str, ...] = ()
    decision: str | None = None


@dataclass(frozen=True)
class Location:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Posting:
    account: str
    amount: Decimal


@dataclass(frozen=True)
class Entry:
    """One journal transaction: a header, tags in written order, postings, and its signature.

    `tags` excludes `sig`; `where` and `lines` say where and how it was read, and are not part of its identity.
    """

    date: date
    description: str
    tags: tuple[tuple[str, str], ...]
    postings: tuple[Posting, ...]
    sig: str | None = None
    where: Location | None = field(default=None, compare=False)
    lines: tuple[str, ...] = field(default=(), compare=False, repr=False)  # as read from a file

    def tag(self, name: str) -> str | None:
        for key, value in self.tags:
            if key == name:
                return value
        return None

    @property
    def id(self) -> str | None:
        return self.tag("id")

    @property
    def recorder(self) -> str | None:
        return self.tag("by")

    @property
    def kind(self) -> str:
        return self.tag("kind") or "exchange"

    @property
    def imbalance(self) -> Decimal:
        """What the postings sum to: zero in any entry coop wrote; hledger and ledger refuse any other."""
        return sum((p.amount for p in self.postings), Decimal(0))

    @property
    def payer(self) -> str | None:
        """The account hours flow from, for the two-posting entries coop writes."""
        negatives = [p.account for p in self.postings if p.amount < 0]
        return negatives[0] if len(negatives) == 1 else None

    @property
    def earner(self) -> str | None:
        positives = [p.account for p in self.postings if p.amount > 0]
        return positives[0] if len(positives) == 1 else None

    @property
    def hours(self) -> Decimal:
        return sum((p.amount for p in self.postings if p.amount > 0), Decimal(0))
