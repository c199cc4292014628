"""The operations that change the books: record, revert, register members and keys.

Each one resolves who signs, takes the coop's lock, checks every rule, signs, and commits once; or writes nothing.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import time
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Callable, NamedTuple

from coop_cli import charter as charter_format
from coop_cli import checks, reports
from coop_cli import members as members_format
from coop_cli.errors import BadField, BadInput, CoopError, Refusals
from coop_cli.i18n import N_, _, word
from coop_cli.journal import append_text, check_date, format_entry, parse_journal, signed_bytes
from coop_cli.model import (
    COOP_ACCOUNT,
    MANAGERS,
    Entry,
    Exchange,
    Member,
    Posting,
    Service,
    check_line,
    check_member_id,
    check_tag_value,
    check_text,
    folded,
    format_hours,
    namespace_for,
    parse_date,
    parse_hours,
    party,
    party_account,
    similar,
)
from coop_cli.repo import FINGERPRINT_KEY, LEDGER, Coop, git, init_repository
from coop_cli.slips import BatchRow

Passphrase = Callable[[], "str | None"]


@dataclass(frozen=True)
class Identity:
    """Who says they are recording, and the key they sign with, as given on the command line or found in config."""

    member: str | None
    key: str | None
    passphrase: Passphrase | None = None


@dataclass
class Recorder:
    member: Member
    signer: object  # a coop_cli.signing.Signer

    @property
    def author(self) -> tuple[str, str]:
        """Commits name the member as in the register; the address is derived, so no git user needs configuring."""
        return self.member.name, f"{self.member.id}@coop.invalid"


def load_signer(coop: Coop, identity: Identity):
    """The signer behind --key / COOP_KEY / git config user.signingkey (a private key file, a .pub for ssh-agent, or `key::...`)."""
    from coop_cli.signing import PublicKey, agent_signer
    from coop_cli.signing import load_signer as load_key

    key = identity.key or coop.config("user.signingkey")
    if not key:
        raise CoopError(_("no signing key: give --key FILE, set COOP_KEY, or set git config user.signingkey"))
    if key.startswith("key::"):
        return agent_signer(PublicKey.parse(key[len("key::"):]))
    return load_key(Path(key).expanduser(), identity.passphrase)


def recorder_for(coop: Coop, identity: Identity, register: members_format.Register, signer) -> Recorder:
    """The member who records, checked against the register: their key must be one of theirs."""
    member_id = identity.member or coop.config("coop.member")
    if not member_id:
        raise CoopError(_("who is recording? give --as MEMBER, set COOP_AS, or set git config coop.member"))
    member = register.require(member_id)
    check_own_key(member, signer)
    return Recorder(member, signer)


def check_own_key(member: Member, signer) -> None:
    from coop_cli.signing import PublicKey

    if not any(PublicKey.parse(key) == signer.public_key for key in member.keys):
        raise CoopError(
            _("the key {fingerprint} is not one of {id}'s keys in members.yaml").format(
                fingerprint=signer.public_key.fingerprint(), id=member.id
            )
        )


# ---------------------------------------------------------------- exchanges

BATCH_TRAILER = "Batch-sha256"  # in the message of the commit that imported a batch file: its content's hash
REVERTS_TRAILER = "Reverts-commit"  # in the message of the commit that reversed every entry of another

_last_id = 0


def new_id() -> str:
    """A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32.

    Ids made by one process are strictly increasing (the random part counts up within a millisecond),
    so the entries of a batch sort in the order they were written.
    """
    global _last_id
    alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    if value >> 80 == _last_id >> 80 and value <= _last_id:
        value = _last_id + 1
    _last_id = value
    return "".join(alphabet[(value >> shift) & 31] for shift in range(125, -1, -5))


def draft(exchange: Exchange, today: date, kind: str = "exchange", extra: tuple = ()) -> Entry:
    """The unsigned entry for an exchange, its recorder left blank; a BadField names the field that cannot be read."""
    for field in ("payer", "earner"):
        if getattr(exchange, field) != COOP_ACCOUNT:
            _field(field, check_member_id, getattr(exchange, field))
    hours = _field("hours", parse_hours, exchange.hours)
    description = _field("description", check_text, exchange.description, _("the description"))
    when = _field("date", lambda text: check_date(parse_date(text)), exchange.when) if exchange.when else today
    tags = [("id", new_id()), ("by", ""), ("kind", kind)]
    if exchange.cat:
        tags.append(("cat", _field("cat", check_tag_value, exchange.cat, _("the category"))))
    tags += list(extra)
    postings = (Posting(party_account(exchange.earner), hours), Posting(party_account(exchange.payer), -hours))
    return Entry(when, description, tuple(tags), postings)


def _field(field: str, read: Callable, *args):
    try:
        return read(*args)
    except CoopError as problem:
        raise BadField(field, problem) from None


def named(exchange: Exchange, register: members_format.Register) -> Exchange:
    """The exchange with its payer and earner as member ids: anything but an id (or `coop`) is refused with a suggestion."""
    return replace(
        exchange,
        payer=_field("payer", register.require_party, exchange.payer),
        earner=_field("earner", register.require_party, exchange.earner),
    )


def recorded_by(entry: Entry, member_id: str) -> Entry:
    return replace(entry, tags=tuple((k, member_id if k == "by" else v) for k, v in entry.tags))


class Recorded(NamedTuple):
    """What `record` wrote, or in a dry run would write."""

    entries: list[Entry]
    commit: str | None  # None in a dry run
    notes: list[str]
    balances: dict[str, tuple[Decimal, Decimal]]  # each account the entries move: its balance before and after


def record(
    coop: Coop,
    identity: Identity,
    exchanges: list[Exchange],
    origin: str | None = None,
    today: date | None = None,
    *,
    digest: str | None = None,
    allow_duplicates: bool = False,
    dry_run: bool = False,
    new_cat: bool = False,
) -> Recorded:
    """Check, sign, append and commit exchanges in one commit: all of them or none.

    What was typed is read first, members named by their ids (no key needed to hear that `1h70` is not an amount);
    then, under the lock, every rule is checked in order, each row seeing the balances left by the rows before it.
    A row that repeats another row, or an exchange the books hold and was not reversed, is refused unless
    `allow_duplicates`; so is a file whose content's SHA-256 (`digest`) an earlier commit imported.
    `origin` names the batch file, so that problems carry `FILE:LINE`. A dry run checks all this and writes nothing.
    A category must be one of the charter's, unless `new_cat`.
    """
    today = today or date.today()
    drafts, problems = _drafts(coop.register(), exchanges, origin, today, coop.charter(), new_cat)
    signer = load_signer(coop, identity)
    with contextlib.nullcontext([]) if dry_run else coop.writing() as notes:
        if digest and not allow_duplicates:
            _refuse_imported(coop, origin or "", digest)
        charter, register = coop.charter(), coop.register()
        recorder = recorder_for(coop, identity, register, signer)
        balances = coop.balances()
        before = dict(balances)
        lines = [line for line, _unsigned in drafts]
        entries = [recorded_by(unsigned, recorder.member.id) for _line, unsigned in drafts]
        alike = {} if allow_duplicates else recorded_alike(coop, entries)
        same_as = None if allow_duplicates else (
            lambda index: _("the same exchange as {file}:{line} (if it happened twice, give --allow-duplicates)").format(file=origin, line=lines[index]))
        found = check_in_order(entries, charter, register, balances, recorder.member, today, alike, same_as, checks.decided_on(coop.meetings))
        problems += [(line, message) for line, messages in zip(lines, found) for message in messages]
        entries = [entry for entry, messages in zip(entries, found) if not messages]
        _refuse(sorted(problems, key=lambda p: p[0] or 0), origin)
        if not entries:
            raise CoopError(_("nothing to record"))
        moved = {a: (before.get(a, Decimal(0)), balances.get(a, Decimal(0))) for e in entries for a in (e.payer, e.earner) if a}
        if dry_run:
            return Recorded(entries, None, notes, moved)
        commit = _write(coop, recorder, entries, charter.unit, _record_message(entries, charter.unit, origin, digest))
        return Recorded(entries, commit, notes, moved)


def check_in_order(
    entries: list[Entry],
    charter,
    register: members_format.Register,
    balances: dict[str, Decimal],
    recorder: Member,
    today: date,
    alike: dict[tuple, Entry],
    same_as: Callable[[int], str] | None,
    decided_on: checks.DecidedOn = checks.UNKNOWN,
) -> list[list[str]]:
    """The problems of each entry, in order, each judged on the balances the passing entries before it leave
    (posted into `balances`). The same exchange as one of `alike` (the books), or as an earlier entry (whose index
    `same_as` turns into the sentence; None allows it), is refused. Each party's status is judged at the exchange's
    date (`decided_on`: a slip written late).
    """
    seen: dict[tuple, int] = {}
    found = []
    for index, entry in enumerate(entries):
        key = _same(entry)
        if key in alike:
            problems = [_("the same exchange as {id} of {date}, already in the books (if it happened twice, give --allow-duplicates)").format(
                id=alike[key].id, date=alike[key].date)]
        elif key in seen and same_as is not None:
            problems = [same_as(seen[key])]
        else:
            problems = checks.entry_problems(entry, charter, register, balances, recorder, today, decided_on)
        seen.setdefault(key, index)
        if not problems:
            reports.post(entry, balances)
        found.append(problems)
    return found


def _drafts(register: members_format.Register, exchanges: list[Exchange], origin: str | None, today: date, charter, new_cat: bool) -> tuple[list, list]:
    """Each exchange read into an unsigned entry, with its line; a batch collects what cannot be read, naming its column."""
    drafts, problems = [], []
    for exchange in exchanges:
        row = exchange if isinstance(exchange, BatchRow) else None
        line = row.line if row else None
        if row and row.problem:
            problems.append((line, row.problem))
            continue
        try:
            unsigned = draft(named(exchange, register), today)
            if exchange.cat:
                _field("cat", charter_format.require_category, charter, exchange.cat, new_cat)
            drafts.append((line, unsigned))
        except BadField as problem:
            if row is None:
                raise
            problems.append((line, _("column {column}: {problem}").format(column=row.column(problem.field), problem=problem.message)))
    return drafts, problems


def _same(entry: Entry) -> tuple:
    """What makes two entries the same exchange: the slip's fields, not who recorded it or when."""
    return entry.date, entry.payer, entry.earner, entry.hours, entry.description


def recorded_alike(coop: Coop, drafts: list[Entry]) -> dict[tuple, Entry]:
    """The entries of the books that are the same exchange as one of `drafts`, and that no entry reverses.

    Cheap on big books: only the months of the drafts are read, and a month is parsed only if its text holds the
    header line one of the drafts would have.
    """
    wanted: dict[str, set[str]] = {}
    for entry in drafts:
        wanted.setdefault(f"{LEDGER}/{entry.date:%Y-%m}.journal", set()).add(f"{entry.date.isoformat()} * {entry.description}\n")
    keys = {_same(entry) for entry in drafts}
    candidates: list[Entry] = []
    for relative, headers in wanted.items():
        if not (coop.root / relative).is_file():
            continue
        text = coop.read(relative)
        if any(header in text for header in headers):
            found, _problems = parse_journal(text, relative)
            candidates += [e for e in found if e.kind != "reversal" and _same(e) in keys]
    if not candidates:
        return {}
    undone = reversed_ids(coop)
    alike: dict[tuple, Entry] = {}
    for entry in candidates:
        if entry.id not in undone:
            alike.setdefault(_same(entry), entry)
    return alike


def reversed_ids(coop: Coop) -> set[str]:
    """The ids that some entry of the books reverses (a scan of the text: no entry is parsed)."""
    return {found for relative in coop.journal_files() for found in re.findall(r"^    ; reverses: (\S+)$", coop.read(relative), re.MULTILINE)}


def _refuse_imported(coop: Coop, origin: str, digest: str) -> None:
    """A batch file whose very content an earlier commit imported is refused, unless that commit was reverted whole."""
    imports = coop.commits_with(f"{BATCH_TRAILER}: {digest}")
    if imports and not coop.commits_with(f"{REVERTS_TRAILER}: {imports[0][0]}"):
        commit, day = imports[0]
        raise CoopError(
            _("{file} was already imported by commit {commit} on {date} (if these are other exchanges, give --allow-duplicates)").format(
                file=origin, commit=commit[:10], date=day
            )
        )


def _refuse(problems: list[tuple[int | None, str]], origin: str | None) -> None:
    """A batch names every bad row on its own line; a single exchange gets one sentence."""
    if problems and origin:
        raise Refusals([f"{origin}:{line}: {message}" for line, message in problems])
    if problems:
        raise CoopError(_("; ").join(message for _line, message in problems))


def _record_message(entries: list[Entry], unit: str, origin: str | None, digest: str | None = None) -> str:
    if len(entries) == 1 and not digest:
        entry = entries[0]
        return (
            f"record: {party(entry.payer)} pays {party(entry.earner)} {format_hours(entry.hours)} {unit} ({entry.id})\n\n"
            f"{entry.description}\n"
        )
    total = sum((e.hours for e in entries), Decimal(0))
    lines = [f"{e.id} {party(e.payer)} -> {party(e.earner)} {format_hours(e.hours)} {unit}" for e in entries]
    source = f" from {origin}" if origin else ""
    trailer = f"\n{BATCH_TRAILER}: {digest}\n" if digest else ""
    return f"record: {len(entries)} exchanges, {format_hours(total)} {unit}{source}\n\n" + "\n".join(lines) + "\n" + trailer


def _write(coop: Coop, recorder: Recorder, entries: list[Entry], unit: str, message: str) -> str:
    """Sign each entry, append it to its month's file, and commit all the files at once."""
    if not entries:
        raise CoopError(_("nothing to record"))
    return coop.commit(signed_journal_changes(coop, recorder, entries, unit), message, recorder.author, recorder.signer)


def signed_journal_changes(coop: Coop, recorder: Recorder, entries: list[Entry], unit: str) -> dict[str, str]:
    """The new text of each month's journal with the entries signed and appended."""
    from coop_cli.signing import signature_to_line

    namespace = namespace_for(coop.fingerprint())
    by_file: dict[str, list[str]] = {}
    for entry in entries:
        signature = recorder.signer.sign(signed_bytes(entry, unit), namespace)
        signed = replace(entry, sig=signature_to_line(signature))
        by_file.setdefault(f"{LEDGER}/{entry.date:%Y-%m}.journal", []).append(format_entry(signed, unit))
    changes = {}
    for relative, texts in by_file.items():
        existing = coop.read(relative) if (coop.root / relative).exists() else ""
        changes[relative] = append_text(existing, texts)
    return changes


# ---------------------------------------------------------------- reversals

def revert(coop: Coop, identity: Identity, entry_id: str, reason: str, when: str | None = None, today: date | None = None) -> tuple[Entry, str, list[str]]:
    """Append the entry that undoes `entry_id`: the same hours flowing back, tagged `kind: reversal`, `reverses: ID`."""
    reversals, commit, notes = _reverse(coop, identity, [entry_id], reason, when, today)
    return reversals[0], commit, notes


class Reverted(NamedTuple):
    entries: list[Entry]  # the reversals written
    commit: str
    notes: list[str]  # entries of the reverted commit left as they are, and why
    reverted: str  # the full id of the commit whose entries were reversed


def revert_commit(coop: Coop, identity: Identity, commit: str, reason: str, when: str | None = None, today: date | None = None) -> Reverted:
    """Reverse every entry that `commit` added, in one signed commit: an import made twice is undone at once.

    Entries already reversed (or that are themselves reversals) are left as they are and named in the notes;
    a commit that added no entry, or none that can still be reversed, is refused.
    """
    target = coop.commit_in_history(commit)
    added = coop.entry_ids_added(target)
    if not added:
        raise CoopError(_("commit {commit} added no entries to the journals").format(commit=target[:10]))
    return Reverted(*_reverse(coop, identity, added, reason, when, today, of_commit=target), target)


@dataclass(frozen=True)
class Books:
    """The entries of the books, indexed as a reversal looks them up."""

    entries: list[Entry]
    by_id: dict[str, Entry]
    reversed_by: dict[str, str]  # an entry's id -> the id of the entry that reverses it

    @classmethod
    def of(cls, entries: list[Entry]) -> "Books":
        return cls(entries, {e.id: e for e in entries if e.id}, {e.tag("reverses"): e.id for e in entries if e.tag("reverses")})


def _reverse(
    coop: Coop, identity: Identity, entry_ids: list[str], reason: str, when: str | None, today: date | None, of_commit: str | None = None
) -> tuple[list[Entry], str, list[str]]:
    """One commit reversing entries, each checked against the balances the reversals before it leave.

    A single entry that cannot be reversed is refused; the entries `of_commit` that cannot be are left, and named.
    """
    today = today or date.today()
    signer = load_signer(coop, identity)
    with coop.writing() as notes:
        charter, register = coop.charter(), coop.register()
        recorder = recorder_for(coop, identity, register, signer)
        books = Books.of(coop.readable_entries())
        originals, left = [], []
        for entry_id in entry_ids:
            try:
                originals.append(_reversible(books, entry_id))
            except CoopError as problem:
                if of_commit is None:
                    raise
                left.append(problem.message)
        if not originals:
            raise CoopError(_("nothing left to reverse in commit {commit}: {reasons}").format(commit=of_commit[:10], reasons=_("; ").join(left)))
        balances = reports.balances(books.entries)
        reversals, problems = [], []
        decided_on = checks.decided_on(coop.meetings)
        for original in originals:
            exchange = Exchange(party(original.earner), party(original.payer), format_hours(original.hours), reason, when, original.tag("cat"))
            entry = recorded_by(draft(exchange, today, "reversal", (("reverses", original.id),)), recorder.member.id)
            found = checks.entry_problems(entry, charter, register, balances, recorder.member, today, decided_on)
            problems += [_("{id}: {problem}").format(id=original.id, problem=p) if of_commit else p for p in found]
            if not found:
                reports.post(entry, balances)
                reversals.append(entry)
        if of_commit and problems:
            raise Refusals(problems)
        _refuse([(None, p) for p in problems], None)
        if of_commit:
            lines = "".join(f"{r.tag('reverses')} -> {r.id}\n" for r in reversals)
            message = f"revert: {len(reversals)} entries of commit {of_commit[:10]}\n\n{reason}\n\n{lines}\n{REVERTS_TRAILER}: {of_commit}\n"
        else:
            message = f"revert: {entry_ids[0]} ({reversals[0].id})\n\n{reason}\n"
        return reversals, _write(coop, recorder, reversals, charter.unit, message), notes + left


def _reversible(books: Books, entry_id: str) -> Entry:
    original = books.by_id.get(entry_id)
    if original is None:
        raise CoopError(_("no entry has the id {id}").format(id=entry_id))
    if original.kind == "reversal":
        raise CoopError(_("{id} is itself a reversal; record a new exchange instead").format(id=entry_id))
    if original.payer is None or original.earner is None:
        raise CoopError(_("{id} is not a two-party exchange and cannot be reversed by coop").format(id=entry_id))
    if entry_id in books.reversed_by:
        raise CoopError(_("{id} was already reversed by {other}").format(id=entry_id, other=books.reversed_by[entry_id]))
    return original


# ---------------------------------------------------------------- the register

def add_member(
    coop: Coop,
    identity: Identity,
    member_id: str,
    name: str,
    pubkey: str | None,
    roles: list[str],
    since: str | None,
    today: date | None = None,
    offers: tuple[str, ...] = (),
    wants: tuple[str, ...] = (),
    decision: str | None = None,
) -> tuple[Member, str, list[str]]:
    """Register a member. The first one bootstraps the coop (signing with the key being registered); later ones need a treasurer or secretary.

    A later member given a role cites the adopted decision that grants it, as any change of roles does.
    """
    today = today or date.today()
    check_member_id(member_id)
    name = check_text(name, _("the name"))
    for role in roles:
        if role not in ("treasurer", "secretary", "auditor"):
            raise BadInput(_("unknown role {role!r} (roles are treasurer, secretary, auditor)").format(role=role))
    keys = (members_format.check_public_key(pubkey.strip(), member_id),) if pubkey else ()
    joined = parse_date(since, "since") if since else today
    if joined > today:
        raise CoopError(_("the date {date} is in the future").format(date=joined))
    offers = tuple(Service(check_tag_value(o, _("an offer"))) for o in offers)
    wants = tuple(Service(check_tag_value(w, _("a want"))) for w in wants)
    member = Member(member_id, name, joined, "active", tuple(dict.fromkeys(roles)), keys, offers, wants)
    signer = load_signer(coop, identity)
    with coop.writing() as notes:
        register = coop.register()
        if register.get(member_id) is not None:
            raise CoopError(_("{id!r} is already in the register; member ids are never reused").format(id=member_id))
        if register.members:
            recorder = recorder_for(coop, identity, register, signer)
            require_manager(recorder.member)
            if member.roles:
                from coop_cli import governance

                if not decision:
                    raise BadInput(_("a role is granted by a decision: add --decision D-YYYY-NNN, the adopted decision that grants it"))
                governance.adopted(coop, decision)
                member = replace(member, decisions=(decision,))
        else:
            recorder = _bootstrap(member, identity, signer)
        _check_key_unused(register, keys)
        text = members_format.with_member(register, member)
        message = f"member add: {member_id} ({name})\n"
        return member, commit_register(coop, text, message, recorder), notes


def _bootstrap(member: Member, identity: Identity, signer) -> Recorder:
    if identity.member and identity.member != member.id:
        raise CoopError(_("the first member of a coop registers themselves: --as must be {id} or left out").format(id=member.id))
    if not set(member.roles) & set(MANAGERS):
        raise CoopError(_("the first member must be a treasurer or secretary (add --role treasurer), or nobody could add the others"))
    if not member.keys:
        raise CoopError(_("the first member needs --pubkey: every later change is signed by a registered key"))
    check_own_key(member, signer)
    return Recorder(member, signer)


def require_manager(member: Member, what: str | None = None) -> None:
    if not member.manages:
        raise CoopError(
            _("only an active treasurer or secretary may change {what}, and {id} is neither").format(what=what or _("the register"), id=member.id)
        )


def _check_key_unused(register: members_format.Register, keys: tuple[str, ...]) -> None:
    from coop_cli.signing import PublicKey

    wanted = {PublicKey.parse(k) for k in keys}
    for member in register.members:
        for key in member.keys:
            if PublicKey.parse(key) in wanted:
                raise CoopError(_("that key is already registered to {id}").format(id=member.id))


def add_key(coop: Coop, identity: Identity, member_id: str, pubkey: str) -> tuple[str, list[str]]:
    """One more key for a member: added by a treasurer or secretary, or by the member signing with a key they already have."""
    key = members_format.check_public_key(pubkey.strip(), member_id)
    signer = load_signer(coop, identity)
    with coop.writing() as notes:
        register = coop.register()
        register.require(member_id)
        recorder = recorder_for(coop, identity, register, signer)
        if recorder.member.id != member_id:
            require_manager(recorder.member)
        elif not recorder.member.active:
            raise CoopError(_("{id} is {status} and cannot add keys").format(id=member_id, status=word(recorder.member.status)))
        _check_key_unused(register, (key,))
        text = members_format.with_key(register, member_id, key)
        message = f"member key add: {member_id}\n\n{key.split()[0]} {key.split()[1][:16]}...\n"
        return commit_register(coop, text, message, recorder), notes


def commit_register(coop: Coop, text: str, message: str, recorder: Recorder) -> str:
    """Commit a rewritten members.yaml (which must read back) and refresh the allowed signers."""
    register = members_format.parse(text)
    commit = coop.commit({members_format.FILE: text}, message, recorder.author, recorder.signer)
    coop.publish_signers(members_format.allowed_signers(register, namespace_for(coop.fingerprint())))
    return commit


def read_key_argument(value: str) -> str:
    """KEY on the command line: a `.pub` file's path or the key's text itself."""
    path = Path(value).expanduser()
    if not value.lstrip().startswith(("ssh-", "ecdsa-", "sk-")) and path.is_file():
        if path.stat().st_size > 20_000:
            raise BadInput(_("{file} is too large to be an SSH public key").format(file=value))
        text = path.read_text(encoding="utf-8", errors="replace").strip()
        if "PRIVATE KEY" in text:
            raise BadInput(_("{file} is a private key; give its .pub file").format(file=value))
        return text
    if len(value.split()) < 2 and not path.exists():  # key text has a type and base64 data: one word is a path
        raise BadInput(_("{file}: no such file (KEY is a .pub file or the key's text)").format(file=value))
    return value


# ---------------------------------------------------------------- offers and wants

ALREADY = {"offers": N_("{id} already offers {text!r}"), "wants": N_("{id} already wants {text!r}")}
NO_SUCH = {"offers": N_("{id} offers nothing called {text!r} (see coop offer list {id} --all)"),
           "wants": N_("{id} wants nothing called {text!r} (see coop want list {id} --all)")}
NO_SUCH_BUT = {"offers": N_("{id} offers nothing called {text!r}; did you mean {suggestions}?"),
               "wants": N_("{id} wants nothing called {text!r}; did you mean {suggestions}?")}


def add_service(coop: Coop, identity: Identity, kind: str, text: str, cat: str, availability: str | None = None, until: str | None = None,
                member_id: str | None = None, today: date | None = None) -> tuple[Member, Service, str, list[str]]:
    """One more offer or want (`kind`: offers or wants) for a member: their own, or anyone's for a treasurer or secretary.

    Its category is one of the charter's; it holds until `until`, then is hidden (never deleted), or until withdrawn.
    """
    today = today or date.today()
    text = check_line(text, _("the text"))
    availability = check_line(availability, _("the availability")) if availability else None
    last = parse_date(until, "--until") if until else None
    if last is not None and last < today:
        raise BadInput(_("--until {date} is already past").format(date=last))
    signer = load_signer(coop, identity)
    with coop.writing() as notes:
        register = coop.register()
        recorder = recorder_for(coop, identity, register, signer)
        member = _service_owner(register, recorder.member, member_id)
        if not member.active:
            raise CoopError(_("{id} is {status}: only active members offer and want services").format(id=member.id, status=word(member.status)))
        cat = charter_format.require_category(coop.charter(), cat)
        if any(folded(s.text) == folded(text) and s.current(today) for s in getattr(member, kind)):
            raise CoopError(_(ALREADY[kind]).format(id=member.id, text=text))
        service = Service(text, cat, availability, today, last)
        changed = members_format.with_service(register, member.id, kind, service)
        message = f"{kind[:-1]} add: {member.id}: {text} ({cat})\n"
        return member, service, commit_register(coop, changed, message, recorder), notes


def remove_service(coop: Coop, identity: Identity, kind: str, text: str, member_id: str | None = None) -> tuple[Member, str, list[str]]:
    """Withdraw a member's offer or want, named by its text: their own, or anyone's for a treasurer or secretary."""
    signer = load_signer(coop, identity)
    with coop.writing() as notes:
        register = coop.register()
        recorder = recorder_for(coop, identity, register, signer)
        member = _service_owner(register, recorder.member, member_id)
        services = getattr(member, kind)
        found = [index for index, service in enumerate(services) if service.text == text]
        if not found:
            guesses = similar(text, ((s.text, (s.text,)) for s in services))
            if guesses:
                raise CoopError(_(NO_SUCH_BUT[kind]).format(id=member.id, text=text, suggestions=_(" or ").join(repr(g) for g in guesses)))
            raise CoopError(_(NO_SUCH[kind]).format(id=member.id, text=text))
        changed = members_format.without_service(register, member.id, kind, found[0])
        return member, commit_register(coop, changed, f"{kind[:-1]} remove: {member.id}: {text}\n", recorder), notes


def _service_owner(register: members_format.Register, recorder: Member, member_id: str | None) -> Member:
    """Whose offers and wants change: the recorder's own (an active member's), or anyone's for a treasurer or secretary."""
    owner = register.require(member_id) if member_id else recorder
    if owner.id != recorder.id:
        require_manager(recorder, _("another member's offers and wants"))
    elif not recorder.active:
        raise CoopError(_("{id} is {status} and cannot change their offers and wants").format(id=recorder.id, status=word(recorder.status)))
    return owner


# ---------------------------------------------------------------- audits

def audit_sign(coop: Coop, identity: Identity, today: date | None = None) -> tuple[str, str]:
    """An auditor's signed tag `audit/YYYY-MM-DD` at HEAD, made only if the books verify; returns its name and message."""
    from coop_cli import verify

    today = today or date.today()
    signer = load_signer(coop, identity)
    with coop.writing():
        recorder = recorder_for(coop, identity, coop.register(), signer)
        if recorder.member.status != "active" or "auditor" not in recorder.member.roles:
            raise CoopError(_("only an active auditor may sign an audit, and {id} is not one").format(id=recorder.member.id))
        report = verify.audit(coop)
        if report.findings:
            raise CoopError(
                _("the books do not verify ({problem}); run coop verify and resolve every problem first").format(problem=report.findings[0])
            )
        name = f"audit/{today.isoformat()}"
        for number in range(2, 100):
            if not coop.has_ref(f"refs/tags/{name}"):
                break
            name = f"audit/{today.isoformat()}-{number}"
        message = verify.tag_message(report.head or "", report.summary(), recorder.member.id)
        coop.create_tag(name, message, recorder.author, recorder.signer)
        return name, message


# ---------------------------------------------------------------- a new coop

GITATTRIBUTES = """\
# Journals are merged by coop's driver, which unions entries by id and refuses to drop any.
# Never use git's built-in union driver here: it fuses two entries that share a line.
ledger/*.journal merge=coop-journal
# Open minutes changed in two copies are joined: attendees, notes and decisions of both.
ledger/meetings/*.md merge=coop-minutes
"""
MINUTES_ATTRIBUTE = "ledger/meetings/*.md merge=coop-minutes"


def new_books(name: str) -> dict[str, str]:
    """The files of a new coop: the charter with the default rules, an empty register, an empty ledger."""
    return {
        charter_format.FILE: charter_format.new_charter(name),
        members_format.FILE: members_format.EMPTY,
        ".gitattributes": GITATTRIBUTES,
        f"{LEDGER}/meetings/.gitkeep": "",
    }


def init(folder: Path, name: str) -> str:
    """A new coop repository: default charter, empty register and ledger, the merge driver; one first commit."""
    files = new_books(name)
    charter_format.parse(files[charter_format.FILE])  # a name the charter cannot hold is refused before anything exists
    existed = folder.exists()
    init_repository(folder)
    try:
        return start_books(Coop(folder), name, files)
    except BaseException:
        # The folder was empty or absent: leave it so, and `coop init` can simply be run again.
        for leftover in folder.iterdir() if existed else [folder]:
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        raise


def start_books(coop: Coop, name: str, files: dict[str, str]) -> str:
    """The genesis commit of a coop's books, where `coop verify` starts: the rules and an empty register."""
    with coop.writing():
        commit = coop.commit(files, f"init: {name}\n", ("coop", "coop@coop.invalid"))
    git(coop.root, "config", FINGERPRINT_KEY, commit)  # the coop is its genesis: every copy remembers it
    configure(coop)
    return commit


def configure(coop: Coop) -> None:
    """Local git settings every clone of a coop needs: the journal merge driver and the allowed signers."""
    merge_drivers(coop)
    git(coop.root, "config", "gpg.format", "ssh")
    if (coop.root / members_format.FILE).exists():
        coop.publish_signers(members_format.allowed_signers(coop.register(), namespace_for(coop.fingerprint())))


def merge_drivers(coop: Coop) -> None:
    """Git set up to merge journals and minutes as coop joins them, in this copy.

    A coop made before minutes were joined declares only the journal driver in its committed .gitattributes: the
    minutes' line is also kept in this copy's own .git/info/attributes, which `coop clone` and every `coop sync` write.
    """
    git(coop.root, "config", "merge.coop-journal.name", "coop journal merge (union by entry id)")
    git(coop.root, "config", "merge.coop-journal.driver", "coop merge-driver %O %A %B %P")
    git(coop.root, "config", "merge.coop-minutes.name", "coop minutes merge (attendees, notes and decisions of both)")
    git(coop.root, "config", "merge.coop-minutes.driver", "coop merge-minutes %O %A %B %P")
    attributes = coop.git_dir() / "info" / "attributes"
    text = attributes.read_text(encoding="utf-8") if attributes.exists() else ""
    if MINUTES_ATTRIBUTE not in text.split("\n"):
        attributes.parent.mkdir(exist_ok=True)
        attributes.write_text(text + ("\n" if text and not text.endswith("\n") else "") + MINUTES_ATTRIBUTE + "\n", encoding="utf-8")
