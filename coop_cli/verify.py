"""The audit: replay the history of the books commit by commit, each change judged against the state of the parent it changes.

The replay orders the work and keeps each commit's state; the rules themselves are the functions of trust.py.
Problems are collected as values (what, where, which commit, which entry); nothing here trusts coop's own records.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import time
from functools import lru_cache
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Callable

from coop_cli import charter as charter_format
from coop_cli import checks, reports, trust
from coop_cli import meetings as meetings_format
from coop_cli import members as members_format
from coop_cli import needs as needs_format
from coop_cli.errors import CoopError, SigningError
from coop_cli.i18n import _
from coop_cli.journal import parse_journal, signed_bytes
from coop_cli.members import Register
from coop_cli.model import Charter, Entry, Meeting, Member, Need, namespace_for, party
from coop_cli.repo import FINGERPRINT_KEY, LEDGER, Commit, Coop, Objects, git, parse_commit
from coop_cli.trust import Finding

STATE_FILE = "verified.sqlite"
MINUTES = f"{LEDGER}/meetings/"
AUDIT_TAGS = "refs/tags/audit/"


@dataclass(frozen=True)
class Recorded:
    """An entry as it entered the history: the commit that added it and whether its signature holds."""

    entry: Entry
    commit: str
    time: int
    signed_by: str | None  # the member whose registered key made the signature, None if it does not verify


class Ids:
    """Entry id -> digest of its text: what a saved verification holds (SQLite, read only as needed) under what this run adds.

    Copying one (at a branch of the history) copies only what this run added, never the saved million.
    """

    def __init__(self, base: sqlite3.Connection | None = None, base_count: int = 0, layer: dict[str, str] | None = None):
        self.base, self.base_count, self.layer = base, base_count, layer if layer is not None else {}

    def get(self, entry_id: str) -> str | None:
        found = self.layer.get(entry_id)
        if found is None and self.base is not None:
            row = self.base.execute("SELECT digest FROM ids WHERE id = ?", (entry_id,)).fetchone()
            found = row[0] if row else None
        return found

    def __contains__(self, entry_id: str) -> bool:
        return self.get(entry_id) is not None

    def __getitem__(self, entry_id: str) -> str:
        found = self.get(entry_id)
        if found is None:
            raise KeyError(entry_id)
        return found

    def __setitem__(self, entry_id: str, value: str) -> None:
        self.layer[entry_id] = value

    def __len__(self) -> int:
        return self.base_count + len(self.layer)

    def copy(self) -> "Ids":
        return Ids(self.base, self.base_count, dict(self.layer))


@dataclass
class Books:
    """The books as of one commit: which entry ids exist (with a digest of their text) and the balances."""

    ids: Ids = field(default_factory=Ids)
    balances: dict[str, Decimal] = field(default_factory=dict)
    reversed: set[str] = field(default_factory=set)
    hours: Decimal = Decimal(0)

    def copy(self) -> "Books":
        return Books(self.ids.copy(), dict(self.balances), set(self.reversed), self.hours)

    def add(self, entry: Entry) -> None:
        self.ids[entry.id or ""] = digest(entry)
        self.hours += entry.hours
        reports.post(entry, self.balances)
        if entry.tag("reverses"):
            self.reversed.add(entry.tag("reverses"))


def digest(entry: Entry) -> str:
    return hashlib.sha256("\n".join(entry.lines).encode("utf-8")).hexdigest()[:32]


@dataclass
class Report:
    findings: list[Finding]
    recorded: list[Recorded]
    commits: int
    head: str | None
    balances: dict[str, Decimal]
    genesis: str | None
    books: Books = field(default_factory=Books)
    state: "State | None" = None
    settle: list[tuple[str, Decimal]] = field(default_factory=list)  # members past a limit after entries recorded apart
    settle_messages: list[str] = field(default_factory=list)

    def summary(self) -> "Summary":
        return summarise(self.books)


@dataclass(frozen=True)
class Summary:
    """What an audit tag attests: how many entries, how many hours exchanged, and a digest of every balance."""

    entries: int
    hours: Decimal
    digest: str


def summarise(books: Books) -> Summary:
    """The digest covers every non-zero balance as `account amount` lines, sorted: `coop balance` can recompute it."""
    from coop_cli.model import format_hours

    lines = "".join(f"{account} {format_hours(amount)}\n" for account, amount in sorted(books.balances.items()) if amount)
    return Summary(len(books.ids), books.hours, "sha256:" + hashlib.sha256(lines.encode("utf-8")).hexdigest())


# ---------------------------------------------------------------- the replay

@dataclass
class State:
    """The books as of one commit, as the replay derived them: entries and balances, and the latest commit time so far.

    Register, charter and minutes are read from the commit's own files (cached by blob), so they need no copy here.
    `inside` is false for commits that are not the books of this coop: before its genesis, beside it, or after the books
    were deleted (`ended`).
    """

    books: Books
    latest: int
    inside: bool = True
    ended: bool = False


OUTSIDE = State(Books(), 0, inside=False)


class Auditor:
    """Replays the history: each commit's state from its parents' states, each change judged by the rules in trust.py."""

    def __init__(self, coop: Coop, objects: Objects, fingerprint: str, keep_entries: bool = False, now: float | None = None):
        self.coop = coop
        self.objects = objects
        self.fingerprint = fingerprint
        self.namespace = namespace_for(fingerprint)
        self.keep_entries = keep_entries  # `coop log` wants every entry; verify alone keeps none, so a million fit in memory
        self.now = time.time() if now is None else now
        self.findings: list[Finding] = []
        self.recorded: list[Recorded] = []
        self.signatures: list[PendingSignature] = []
        self._registers: dict[str, Register] = {}
        self._charters: dict[str, Charter | None] = {}
        self._needs: dict[str, tuple[Need, ...] | None] = {}
        self._meetings: dict[str, Meeting | None] = {}
        self._trees: dict[str, dict[str, tuple[str, str]]] = {}
        self._files: dict[str, dict[str, str]] = {}

    def problem(self, message: str, commit: str | None = None, where: str | None = None, entry: str | None = None) -> None:
        self.findings.append(Finding(message, commit, where, entry))

    def found(self, findings: list[Finding], commit: str) -> None:
        self.findings += [replace(f, commit=commit) for f in findings]

    # -------------------------------------------------------- what a commit holds

    def tree(self, commit: str) -> dict[str, tuple[str, str]]:
        """Every path of the books in a commit, with its mode and object id, allowed or not."""
        if commit not in self._trees:
            if len(self._trees) > 256:
                self._trees.clear()
            self._trees[commit] = self.objects.book_tree(commit)
        return self._trees[commit]

    def files(self, commit: str | None) -> dict[str, str]:
        """The blob of every file the books may hold (regular, with a book's name): what the rules read."""
        if commit is None:
            return {}
        found = self._files.get(commit)
        if found is None:
            if len(self._files) > 256:
                self._files.clear()
            found = self._files[commit] = {path: blob for path, (mode, blob) in self.tree(commit).items() if trust.book_path_allowed(path, mode, blob)}
        return found

    def register(self, commit: str | None, report_in: str | None = None) -> Register:
        blob = self.files(commit).get(members_format.FILE)
        if blob is None:
            return Register(())
        if blob not in self._registers:
            try:
                self._registers[blob] = members_format.parse(self.objects.text(blob))
            except CoopError as problem:
                self.problem(_("members.yaml cannot be read: {problem}").format(problem=problem.message), report_in or commit, members_format.FILE)
                self._registers[blob] = Register(())
        return self._registers[blob]

    def charter(self, commit: str | None) -> Charter | None:
        blob = self.files(commit).get(charter_format.FILE)
        if blob is None:
            return None
        if blob not in self._charters:
            try:
                self._charters[blob] = charter_format.parse(self.objects.text(blob))
            except CoopError as problem:
                self.problem(_("charter.md cannot be read: {problem}").format(problem=problem.message), commit, charter_format.FILE)
                self._charters[blob] = None
        return self._charters[blob]

    def needs(self, commit: str | None, report: bool = False) -> tuple[Need, ...] | None:
        """The needs of a commit (none without the file); None when they cannot be read, a problem of `commit` with `report`."""
        blob = self.files(commit).get(needs_format.FILE)
        if blob is None:
            return ()
        if blob not in self._needs:
            try:
                self._needs[blob] = needs_format.parse(self.objects.text(blob))
            except CoopError as problem:
                self._needs[blob] = None
                if report:
                    self.problem(_("{file} cannot be read: {problem}").format(file=needs_format.FILE, problem=problem.message), commit, needs_format.FILE)
        return self._needs[blob]

    def rules(self, commit: str | None) -> Charter:
        """The charter in force at a commit; a coop whose charter cannot be read is judged by the defaults."""
        return self.charter(commit) or Charter(name="?")

    def meeting(self, blob: str | None, path: str, commit: str | None = None) -> Meeting | None:
        """Minutes as coop reads them; with `commit`, minutes that cannot be read are a problem of that commit."""
        if blob is None:
            return None
        if blob not in self._meetings:
            try:
                self._meetings[blob] = meetings_format.parse(self.objects.text(blob), Path(path).stem)
            except CoopError as problem:
                self._meetings[blob] = None
                if commit is not None:
                    self.problem(_("{file} cannot be read: {problem}").format(file=path, problem=problem.message), commit, path)
        return self._meetings[blob]

    def adopted(self, commit: str) -> set[str]:
        found = (self.meeting(blob, path) for path, blob in self.files(commit).items() if path.startswith(MINUTES))
        return trust.adopted_decisions([m for m in found if m is not None])

    # -------------------------------------------------------- one commit

    def judge(self, commit: Commit, parents: list[State]) -> State:
        """The state after `commit`, from its parents' states; every change it makes judged against the state it changes."""
        # A commit dated in the future is named, and its date does not make the honest commits after it look backdated.
        latest = max([min(commit.time, int(self.now)), *(p.latest for p in parents)])
        if commit.id == self.fingerprint:
            return self._genesis(commit)
        if not commit.parents:
            self.found(trust.extra_root(commit.id), commit.id)
            return replace(OUTSIDE, latest=latest)
        inside = [i for i, p in enumerate(parents) if p.inside]
        if not inside:
            return self._outside(commit, parents, latest)
        self.found(trust.commit_time(commit.time, max(p.latest for p in parents), self.now), commit.id)
        files = self.files(commit.id)
        tree = self.tree(commit.id)
        changed = {p for p in tree if all(self.tree(parent).get(p) != tree[p] for parent in commit.parents)}
        self.found(trust.shape(tree, changed), commit.id)
        gone = trust.books_present(files)
        if gone:
            self.found(gone, commit.id)
            return State(Books(), latest, inside=False, ended=True)
        if len(commit.parents) > 2:
            self.problem(_("a merge of {n} parents: coop joins two at a time").format(n=len(commit.parents)), commit.id)
        signer = self._signer(commit)
        if len(commit.parents) == 1:
            books = parents[0].books.copy()
            self._change(commit, commit.parents[0], signer, books)
        else:
            books = parents[inside[0]].books.copy()
            self._merge(commit, parents, inside, books)
        return State(books, latest)

    def _genesis(self, commit: Commit) -> State:
        """The first commit of the books: the rules, an empty register, nothing recorded yet."""
        files = self.files(commit.id)
        self.found(trust.shape(self.tree(commit.id), set(self.tree(commit.id))), commit.id)
        self.found(trust.books_present(files), commit.id)
        if self.register(commit.id).members:
            self.problem(_("the first commit of the books already lists members"), commit.id, members_format.FILE)
        for path in files:
            if path.endswith(".journal") or path.startswith(MINUTES) and path.endswith(".md"):
                self.problem(_("the first commit of the books already holds {file}").format(file=path), commit.id, path)
        self.charter(commit.id)
        return State(Books(), min(commit.time, int(self.now)))

    def _outside(self, commit: Commit, parents: list[State], latest: int) -> State:
        """A commit that is not this coop's books; books created again after they were deleted are a new coop, named."""
        if any(p.ended for p in parents):
            if charter_format.FILE in self.files(commit.id):
                self.problem(
                    _("the books were deleted and begun anew here: this is a new coop, whose fingerprint is {new}; the books "
                      "verified here are those of {old}").format(new=commit.id, old=self.fingerprint), commit.id)
                return replace(OUTSIDE, latest=latest)
            return State(Books(), latest, inside=False, ended=True)
        return replace(OUTSIDE, latest=latest)

    def _signer(self, commit: Commit) -> Member | None:
        """The member whose key, registered in the parent state, signed the commit; the founder's bootstrap excepted."""
        first = commit.parents[0]
        before = self.register(first)
        charter = self.rules(first)
        member = None
        if commit.signature:
            keys_from = before
            if not before.members and not before.groups:
                keys_from = self.register(commit.id)  # the bootstrap: the founder signs with the key being registered
            member = self._commit_signer(commit, keys_from)
            if member is not None and keys_from is not before and not trust.is_bootstrap(before, keys_from, member):
                self.problem(_("the commit is signed with a key that only the register it writes holds"), commit.id)
                member = None
        required = charter.signed_commits == "required"
        if required and member is None and not commit.signature:
            self.problem(_("the commit is not signed, and the charter requires signed commits"), commit.id)
        if member is not None and required and not _is_committer(commit, member):
            self.problem(
                _("the commit is signed by {id} but its committer is {committer}").format(id=member.id, committer=commit.committer_name),
                commit.id,
            )
        return member

    def _commit_signer(self, commit: Commit, register: Register) -> Member | None:
        from coop_cli.signing import dearmor, verify

        try:
            key = verify(commit.payload, dearmor(commit.signature or ""), "git")
        except SigningError as problem:
            self.problem(_("the commit's signature does not verify: {problem}").format(problem=problem.message), commit.id)
            return None
        for member in register.members:
            if any(_key(k) == key for k in member.keys):
                return member
        self.problem(_("the commit is signed by the key {key}, which belongs to no member").format(key=key.fingerprint()), commit.id)
        return None

    # -------------------------------------------------------- a commit of one parent

    def _change(self, commit: Commit, parent: str, signer: Member | None, books: Books) -> None:
        before, after = self.files(parent), self.files(commit.id)
        register = self.register(parent)
        officer = trust.manages(signer, register)
        changed = [path for path in sorted(set(before) | set(after)) if before.get(path) != after.get(path)]
        minutes = [path for path in changed if path.startswith(MINUTES) and path != trust.KEEP_FILE]
        # The meetings this commit closes, whose credits an officer may sign in it; who was credited, for their summary.
        closing = {meeting.slug: meeting for path in minutes
                   if trust.closed_here(self.meeting(before.get(path), path), meeting := self.meeting(after.get(path), path, commit.id))}
        credited: dict[str, list[str]] = {slug: [] for slug in closing}
        for path in changed:
            old, new = before.get(path), after.get(path)
            if path == members_format.FILE:
                self.found(trust.register_change(register, self.register(commit.id), signer, self.adopted(parent), _same_key,
                                                 trust.cited_decisions(commit.message)), commit.id)
            elif path == charter_format.FILE:
                if old is not None and new is not None:
                    self.found(trust.charter_change(self.charter(parent), self.charter(commit.id), officer, trust.cited_decisions(commit.message),
                                                    self.adopted(parent), len(books.ids) > 0), commit.id)
            elif path == needs_format.FILE:
                self.found(trust.needs_change(self.needs(parent), self.needs(commit.id, report=True), officer, self.adopted(parent),
                                              trust.cited_decisions(commit.message)), commit.id)
            elif path == trust.GITATTRIBUTES or path == trust.KEEP_FILE:
                self.found(trust.officer_file_change(path, officer), commit.id)
            elif path not in minutes:
                self._journal(commit, parent, path, old, new, books, closing, credited)
        for path in minutes:
            self._minutes(commit, parent, path, before.get(path), after.get(path), officer, credited)

    def _minutes(self, commit: Commit, parent: str, path: str, old: str | None, new: str | None, officer: bool,
                 credited: dict[str, list[str]]) -> None:
        old_text = self.objects.text(old) if old else None
        new_text = self.objects.text(new) if new else None
        old_meeting = self.meeting(old, path)
        new_meeting = self.meeting(new, path, commit.id)
        self.found(trust.minutes_change(path, old_text, new_text, old_meeting, new_meeting, officer), commit.id)
        if new_meeting is not None and (old_text is None or not meetings_format.is_closed(old_text)):
            self.found(trust.decisions_follow_votes(path, old_meeting, new_meeting, self.rules(parent), self.register(parent)), commit.id)
        if trust.closed_here(old_meeting, new_meeting):
            self.found(trust.closing_follows(path, new_meeting, self.rules(parent), self.register(parent), credited[new_meeting.slug]), commit.id)

    def decided_on(self, commit: str) -> checks.DecidedOn:
        """An adopted decision's meeting date in the minutes of `commit`, read only when a status is judged at a date."""
        return checks.decided_on(lambda: [m for m in (self.meeting(blob, path) for path, blob in self.files(commit).items()
                                                      if path.startswith(MINUTES)) if m is not None])

    def _journal(self, commit: Commit, parent: str, path: str, old: str | None, new: str | None, books: Books,
                 closing: dict[str, Meeting] | None = None, credited: dict[str, list[str]] | None = None) -> None:
        """Append-only; each entry new here judged under the parent's register and charter, with the balances so far."""
        if new is None:
            self.problem(_("{file} was deleted; journals are append-only").format(file=path), commit.id, path)
            return
        unit = self.rules(parent).unit
        text, old_text = self.objects.text(new), self.objects.text(old) if old else ""
        if not trust.appended(old_text, text):
            line = trust.first_difference(old_text, text)
            self.problem(
                _("{file} lost or changed lines already committed (from line {line}); journals are append-only").format(file=path, line=line),
                commit.id, f"{path}:{line}",
            )
            self._reconcile(commit, path, [old] if old else [], books, [], unit)
            return
        # Only what was appended is read: it begins with the one blank line after the old entries.
        entries, problems = parse_journal(text[len(old_text):], path, first_line=old_text.count("\n") + 1, unit=unit)
        self._unreadable(commit, problems)
        register, charter, day = self.register(parent), self.rules(parent), trust.commit_day(commit.time, commit.offset)
        decided_on = self.decided_on(parent)
        for entry in entries:
            meeting = (closing or {}).get(entry.tag("meeting") or "")
            if meeting is not None and (entry.kind != "meeting" or party(entry.earner) in credited[meeting.slug]):
                meeting = None  # one credit per attendee: any other entry is judged as any entry is
            self._new_entry(commit, path, entry, books, register, charter, day, decided_on, meeting)
            if meeting is not None and checks.is_meeting_credit(entry, meeting):
                credited[meeting.slug].append(party(entry.earner))

    def _new_entry(self, commit: Commit, path: str, entry: Entry, books: Books, register: Register, charter: Charter, day,
                   decided_on: checks.DecidedOn = checks.UNKNOWN, closing: Meeting | None = None) -> None:
        where, entry_id = str(entry.where), entry.id
        for message in trust.entry_rules(entry, path, charter, register, books.balances, books.ids.__contains__, books.reversed, day,
                                         decided_on, closing):
            self.problem(message, commit.id, where, entry_id)
        if entry_id and entry_id in books.ids:
            return
        recorder = register.get(entry.recorder or "")
        signed_by = None
        if recorder is not None and entry.sig:
            signed_by = recorder.id
            kept = len(self.recorded) if self.keep_entries else None
            self.signatures.append(PendingSignature(signed_bytes(entry, charter.unit), entry.sig, recorder.keys, recorder.id, self.namespace, commit.id, where, entry_id, kept))
        books.add(entry)
        if self.keep_entries:
            self.recorded.append(Recorded(entry, commit.id, commit.time, signed_by))

    # -------------------------------------------------------- a merge

    def _merge(self, commit: Commit, parents: list[State], inside: list[int], books: Books) -> None:
        """A merge joins its parents' books and adds nothing of its own (SPEC: merges join, nothing more)."""
        if len(inside) < len(commit.parents):
            self._merge_outside(commit, commit.parents[inside[0]])
            return
        ours_id, theirs_id = commit.parents[0], commit.parents[1]
        base_id = self._merge_base(ours_id, theirs_id)
        base, ours, theirs, merged = (self.files(c) for c in (base_id, ours_id, theirs_id, commit.id))
        unit = self.rules(ours_id).unit
        for path in sorted(set(base) | set(ours) | set(theirs) | set(merged)):
            b, o, t, m = base.get(path), ours.get(path), theirs.get(path), merged.get(path)
            if path.endswith(".journal"):
                if m != o or trust.join(b, o, t) != o:
                    self._reconcile(commit, path, [blob for blob in (o, t) if blob], books, parents[1:], unit)
            elif path == members_format.FILE:
                if trust.join(b, o, t) != m:
                    self.found(trust.register_join(self.register(base_id), self.register(ours_id), self.register(theirs_id),
                                                   self.register(commit.id)), commit.id)
            elif path.startswith(MINUTES) and path != trust.KEEP_FILE and trust.join(b, o, t) is trust.CONFLICT:
                texts = (self.objects.text(blob) if blob else None for blob in (b, o, t, m))
                self.found(trust.minutes_join(path, *texts), commit.id)
            else:
                self.found(trust.file_join(path, b, o, t, m), commit.id)

    def _merge_outside(self, commit: Commit, inside: str) -> None:
        """A merge with history that is not these books takes nothing from it: the books stay as the inside parent has them.

        In this project's repository a branch of code forked before the example was regenerated carries the older books;
        merging it is harmless as long as nothing of them comes in.
        """
        if self.tree(commit.id) != self.tree(inside):
            self.problem(_("the merge brings in books from history that does not descend from the genesis {genesis}").format(
                genesis=self.fingerprint[:10]), commit.id)

    def _merge_base(self, ours: str, theirs: str) -> str | None:
        out = git(self.coop.root, "merge-base", ours, theirs, check=False).strip()
        return out or None

    def _reconcile(self, commit: Commit, path: str, parent_blobs: list[str], books: Books, others: list[State], unit: str) -> None:
        """Entry by entry, for a merge or an edited file: nothing a parent had may be missing or different, nothing new."""
        blob = self.files(commit.id).get(path)
        if blob is None:
            self.problem(_("{file} was deleted; journals are append-only").format(file=path), commit.id, path)
            return
        entries, problems = parse_journal(self.objects.text(blob), path, unit=unit)
        self._unreadable(commit, problems)
        present: dict[str, Entry] = {}
        for entry in entries:
            entry_id = entry.id or ""
            if entry_id in present:
                self.problem(_("the id {id} appears twice: an entry was replayed").format(id=entry_id), commit.id, str(entry.where), entry_id)
                continue
            present[entry_id] = entry
            if entry_id in books.ids:
                if books.ids[entry_id] != digest(entry):
                    self.problem(_("entry {id} was changed after it was committed").format(id=entry_id), commit.id, str(entry.where), entry_id)
            elif any(other.books.ids.get(entry_id) == digest(entry) for other in others):
                books.add(entry)  # joined from the other parent, where it was judged in its own commit
            else:
                what = _("a merge commit") if len(commit.parents) > 1 else _("an edit of the file")
                self.problem(_("entry {id} was added by {what} instead of being appended in a commit of its own").format(id=entry_id, what=what),
                             commit.id, str(entry.where), entry_id)
                books.add(entry)
        for old_blob in dict.fromkeys(parent_blobs):
            for old in parse_journal(self.objects.text(old_blob), path, unit=unit)[0]:
                if old.id not in present:
                    self.problem(_("entry {id} was removed from {file}").format(id=old.id, file=path), commit.id, path, old.id)
                elif digest(present[old.id]) != digest(old) and old.id not in books.ids:
                    self.problem(_("entry {id} was changed after it was committed").format(id=old.id), commit.id, path, old.id)

    def _unreadable(self, commit: Commit, problems) -> None:
        for problem in problems:
            self.problem(problem.message, commit.id, str(problem.where))

    # -------------------------------------------------------- signatures, on every core

    def check_signatures(self, progress: Callable[[str, int, int], None] | None = None) -> None:
        """Every queued entry signature, verified on every core; a failure is reported with its commit, place and entry."""
        results = _verify_all([(p.data, p.sig, p.keys, p.member, p.namespace) for p in self.signatures], progress)
        for pending, problem in zip(self.signatures, results):
            if problem is None:
                continue
            self.problem(problem, pending.commit, pending.where, pending.entry)
            if pending.recorded is not None:
                self.recorded[pending.recorded] = replace(self.recorded[pending.recorded], signed_by=None)


@dataclass(frozen=True)
class PendingSignature:
    data: bytes
    sig: str
    keys: tuple[str, ...]
    member: str
    namespace: str
    commit: str
    where: str
    entry: str | None
    recorded: int | None  # its place in Auditor.recorded, when entries are kept


PARALLEL_SIGNATURES = 2000


def _verify_all(items: list[tuple[bytes, str, tuple[str, ...], str, str]], progress=None) -> list[str | None]:
    if len(items) < PARALLEL_SIGNATURES or (os.cpu_count() or 1) < 2:
        return [_verify_one(item) for item in items]
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    results: list[str | None] = []
    with ProcessPoolExecutor(min(os.cpu_count() or 2, 8), mp_context=get_context("fork")) as pool:
        for result in pool.map(_verify_one, items, chunksize=500):
            results.append(result)
            if progress and len(results) % 5000 == 0:
                progress("signatures", len(results), len(items))
    return results


def _verify_one(item: tuple[bytes, str, tuple[str, ...], str, str]) -> str | None:
    """None when the signature holds for this coop and was made with one of the recorder's keys; else the problem, in words."""
    from coop_cli.signing import signature_from_line, verify

    data, sig, keys, member, namespace = item
    try:
        key = verify(data, signature_from_line(sig), namespace)
    except SigningError as problem:
        return _("the entry's signature does not verify: {problem}").format(problem=problem.message)
    if not any(_key(k) == key for k in keys):
        return _("the entry is signed by the key {key}, which {id} did not have when it was added").format(key=key.fingerprint(), id=member)
    return None


@lru_cache(maxsize=4096)
def _key(text: str):
    """A register's key line as a PublicKey (None if it cannot be read), parsed once however many entries it signed."""
    from coop_cli.signing import PublicKey

    try:
        return PublicKey.parse(text)
    except SigningError:
        return None


def _same_key(one: str, other: str) -> bool:
    return _key(one) is not None and _key(one) == _key(other)


def _is_committer(commit: Commit, member: Member) -> bool:
    return commit.committer_email == f"{member.id}@coop.invalid" or commit.committer_name == member.name


# ---------------------------------------------------------------- where the books begin

def known_fingerprint(coop: Coop) -> str | None:
    """The fingerprint this copy remembers (from coop init, coop clone, or its first clean verify)."""
    return coop.config(FINGERPRINT_KEY)


def remember_fingerprint(coop: Coop, fingerprint: str) -> None:
    git(coop.root, "config", FINGERPRINT_KEY, fingerprint)


def creations(coop: Coop, head: str) -> list[str]:
    """The commits that created charter.md in the history of `head`, newest first: each began books."""
    return git(coop.root, "log", "--full-history", "--format=%H", "--diff-filter=A", head, "--", charter_format.FILE).split()


def audit(
    coop: Coop,
    full: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    head: str = "HEAD",
    remember: bool = True,
    keep_entries: bool = False,
    expect: str | None = None,
) -> Report:
    """Verify the history of the books from their genesis (or from the last verified commit) to `head`.

    The genesis is `expect`, else the fingerprint this copy remembers, else the commit that began the current books
    (and then earlier books in the history are a problem: only the coop's published fingerprint tells which are real).
    With `remember`, a clean result is kept in .git/coop so that the next run starts from it, and the fingerprint
    is remembered; with `keep_entries`, the report lists every entry with the commit that added it (for `coop log`).
    """
    head = git(coop.root, "rev-parse", "--verify", "-q", head + "^{commit}", check=False).strip()
    if not head:
        raise CoopError(_("the coop has no commits yet"))
    made = creations(coop, head)
    if not made:
        raise CoopError(_("charter.md was never committed here: these are not a coop's books"))
    known = expect or known_fingerprint(coop)
    early: list[Finding] = []
    if known:
        if known not in made:
            raise CoopError(_("these are not the books of the coop {fingerprint}: its genesis is not in this history (the books here "
                              "begin at {found})").format(fingerprint=known, found=made[0]))
        start = known
    else:
        start = git(coop.root, "log", "--first-parent", "--diff-filter=A", "--format=%H", "-1", head, "--", charter_format.FILE).strip() or made[0]
        earlier = [c for c in made if c != start]
        if earlier:
            early.append(Finding(_("the books were begun anew at {new}; earlier books, begun at {old}, were deleted: only the fingerprint your "
                                   "coop publishes tells which are its books (coop verify --expect FINGERPRINT)").format(new=start, old=earlier[-1])))
    saved = None if full else _load_state(coop, head, start)
    try:
        report = _walk(coop, head, start, saved, progress, keep_entries)
        report.findings[:0] = early
        if remember and not report.findings:
            _save_state(coop, head, start, report.state, saved[0] if saved else None)
    finally:
        if saved:
            saved[1].books.ids.base.close()
    if remember and not report.findings:
        remember_audit_tags(coop)
        if known_fingerprint(coop) != start:
            remember_fingerprint(coop, start)
    return report


def _walk(coop: Coop, head: str, start: str, saved, progress, keep_entries: bool) -> Report:
    exclude = [f"^{saved[0]}"] if saved else [f"^{p}" for p in _parents(coop, start)]
    listing = git(coop.root, "rev-list", "--topo-order", "--reverse", "--parents", head, *exclude).split("\n")
    order = [line.split() for line in listing if line.strip()]
    with Objects(coop.root) as objects:
        auditor = Auditor(coop, objects, start, keep_entries)
        states: dict[str, State] = {saved[0]: saved[1]} if saved else {}
        listed = {line[0] for line in order}
        if saved is not None and any(p not in states and p not in listed for line in order for p in line[1:]):
            return _walk(coop, head, start, None, progress, keep_entries)  # a branch forked before the saved state
        waiting = _children_count(order)
        tags_by_commit = set(git(coop.root, "for-each-ref", "--format=%(*objectname)", AUDIT_TAGS).split())
        attested: dict[str, Summary] = {}
        for done, (commit_id, *parent_ids) in enumerate(order, start=1):
            found = objects.read(commit_id)
            commit = parse_commit(commit_id, found[1] if found else b"")
            parents = [states.get(p, OUTSIDE) for p in parent_ids]
            states[commit_id] = auditor.judge(commit, parents)
            if commit_id in tags_by_commit:
                attested[commit_id] = summarise(states[commit_id].books)
            for parent in parent_ids:
                waiting[parent] = waiting.get(parent, 1) - 1
                if waiting[parent] <= 0 and parent != head:
                    states.pop(parent, None)
            if progress:
                progress("history", done, len(order))
        state = states.get(head) or (saved[1] if saved else State(Books(), 0))
        auditor.check_signatures(progress)
        _check_audit_tags(coop, objects, auditor, attested, start, head)
        auditor.findings += trust.sums_to_zero(state.books.balances)
        charter = auditor.rules(head)
        settle = [(member, amount) for member, amount in trust.beyond_limits(state.books.balances, charter)]
        report = Report(auditor.findings, auditor.recorded, len(order), head, state.books.balances, start, state.books, state, settle,
                        [trust.settle_message(member, amount, charter) for member, amount in settle])
    return report


# ---------------------------------------------------------------- audit tags

def tag_message(commit: str, summary: Summary, auditor: str) -> str:
    """The text an auditor signs: the commit attested and what the books held there."""
    from coop_cli.model import format_hours

    return (
        f"audit: the books verify at {commit[:12]}\n\n"
        f"commit: {commit}\n"
        f"entries: {summary.entries}\n"
        f"hours exchanged: {format_hours(summary.hours)}\n"
        f"balances: {summary.digest}\n"
        f"auditor: {auditor}\n"
    )


def parse_tag(raw: bytes) -> tuple[dict[str, str], str, bytes, str | None]:
    """A tag object's headers, its message, the signed payload and the armoured signature (git appends it to the message)."""
    text = raw.decode("utf-8", "replace")
    head, _blank, body = text.partition("\n\n")
    headers = dict(line.split(" ", 1) for line in head.split("\n") if " " in line)
    marker = body.find("-----BEGIN SSH SIGNATURE-----")
    if marker < 0:
        return headers, body, raw, None
    payload = (head + "\n\n" + body[:marker]).encode("utf-8")
    return headers, body[:marker], payload, body[marker:]


def _check_audit_tags(coop: Coop, objects: Objects, auditor: Auditor, attested: dict[str, "Summary"], start: str, head: str) -> None:
    """Each audit tag is signed by an auditor of the register it attests, says what the books held there, and keeps its name.

    A tag this copy verified before must still be there, under the same name, pointing to the same tag object.
    """
    from coop_cli.signing import dearmor, verify

    listing = git(coop.root, "for-each-ref", "--format=%(refname) %(objecttype) %(objectname) %(*objectname)", AUDIT_TAGS)
    present: dict[str, str] = {}
    for line in filter(None, listing.split("\n")):
        name, kind, tag_id, *target = line.split()
        short = name[len("refs/tags/"):]
        present[short] = tag_id
        if kind != "tag":
            auditor.problem(_("the audit tag {tag} is not a signed annotated tag").format(tag=short))
            continue
        found = objects.read(tag_id)
        headers, message, payload, signature = parse_tag(found[1] if found else b"")
        commit = headers.get("object", "")
        for problem in tag_name_problems(short, headers):
            auditor.problem(problem, commit or None)
        if f"commit: {commit}\n" not in message:
            auditor.problem(_("the audit tag {tag} points to {commit}, not to the commit it attests").format(tag=short, commit=commit[:12]), commit)
            continue
        if git(coop.root, "merge-base", "--is-ancestor", commit, head, check=False, status=True) != 0:
            auditor.problem(_("the audit tag {tag} attests a commit that is not in the history of the books").format(tag=short), commit)
            continue
        if git(coop.root, "merge-base", "--is-ancestor", start, commit, check=False, status=True) != 0:
            auditor.problem(_("the audit tag {tag} attests books that were later removed and begun anew").format(tag=short), commit)
            continue
        if signature is None:
            auditor.problem(_("the audit tag {tag} is not signed").format(tag=short), commit)
            continue
        try:
            key = verify(payload, dearmor(signature), "git")
        except SigningError as problem:
            auditor.problem(_("the audit tag {tag}'s signature does not verify: {problem}").format(tag=short, problem=problem.message), commit)
            continue
        register = auditor.register(commit)
        if not any("auditor" in m.roles and any(_key(k) == key for k in m.keys) for m in register.members):
            auditor.problem(_("the audit tag {tag} is signed by a key that no auditor had").format(tag=short), commit)
            continue
        summary = attested.get(commit)
        if summary is not None and f"balances: {summary.digest}\n" not in message:
            auditor.problem(_("the audit tag {tag} does not describe the books at the commit it attests").format(tag=short), commit)
    for problem in remembered_tag_problems(remembered_audit_tags(coop), present):
        auditor.problem(problem)


TAG_NAME = re.compile(r"audit/([0-9]{4}-[0-9]{2}-[0-9]{2})(?:-[0-9]+)?", re.ASCII)


def tag_name_problems(name: str, headers: dict[str, str]) -> list[str]:
    """A tag's name agrees with its signed body: the name inside the object, and the day it was signed."""
    if headers.get("tag") != name:
        return [_("the audit tag {tag} was published under another name: its signed body names it {inside}").format(tag=name, inside=headers.get("tag", "?"))]
    shape = TAG_NAME.fullmatch(name)
    tagger = headers.get("tagger", "").rsplit(" ", 2)
    try:
        signed_on = trust.commit_day(int(tagger[-2]), tagger[-1]).isoformat()
    except (ValueError, IndexError):
        signed_on = None
    if shape is None or shape[1] != signed_on:
        return [_("the audit tag {tag} does not carry the day it was signed ({day})").format(tag=name, day=signed_on or "?")]
    return []


def remembered_tag_problems(remembered: dict[str, str], present: dict[str, str]) -> list[str]:
    """Audit tags this copy verified before: each still there, under its name, on the same tag object."""
    problems = []
    where = {tag_id: name for name, tag_id in present.items()}
    for name, tag_id in sorted(remembered.items()):
        now = present.get(name)
        if now == tag_id:
            continue
        if now is not None:
            problems.append(_("the audit tag {tag} was moved: it is no longer the tag this copy verified").format(tag=name))
        elif tag_id in where:
            problems.append(_("the audit tag {tag} was renamed {new}").format(tag=name, new=where[tag_id]))
        else:
            problems.append(_("the audit tag {tag}, which this copy verified, was deleted").format(tag=name))
    return problems


def _tags_path(coop: Coop) -> Path:
    return coop.git_dir() / "coop" / "audit-tags"


def remembered_audit_tags(coop: Coop) -> dict[str, str]:
    try:
        lines = _tags_path(coop).read_text(encoding="utf-8").split("\n")
    except OSError:
        return {}
    return dict(line.split(" ", 1) for line in lines if " " in line)


def remember_audit_tags(coop: Coop) -> None:
    """After a clean verify: every audit tag present now is one this copy has verified (earlier ones are kept too)."""
    listing = git(coop.root, "for-each-ref", "--format=%(refname:short) %(objectname)", AUDIT_TAGS)
    tags = {**remembered_audit_tags(coop), **dict(line.split(" ", 1) for line in listing.split("\n") if " " in line)}
    path = _tags_path(coop)
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(f"{name} {tag_id}\n" for name, tag_id in sorted(tags.items())), encoding="utf-8")


def _parents(coop: Coop, commit: str) -> list[str]:
    return git(coop.root, "rev-list", "--parents", "-n", "1", commit).split()[1:]


def _children_count(order: list[list[str]]) -> dict[str, int]:
    count: dict[str, int] = {}
    for _commit, *parents in order:
        for parent in parents:
            count[parent] = count.get(parent, 0) + 1
    return count


def _state_path(coop: Coop) -> Path:
    return coop.git_dir() / "coop" / STATE_FILE


def _load_state(coop: Coop, head: str, start: str) -> tuple[str, State] | None:
    """The last verified commit and its state, if `head` descends from it and the genesis is the same: never trusted across a rewrite.

    The ids stay in SQLite and are looked up one by one, so one new commit costs little however long the history.
    """
    path = _state_path(coop)
    if not path.exists():
        return None
    try:
        base = sqlite3.connect(path)
        meta = dict(base.execute("SELECT key, value FROM meta"))
        commit, count = meta["commit"], int(meta["count"])
        balances = {a: Decimal(b) for a, b in json.loads(meta["balances"]).items()}
        books = Books(Ids(base, count), balances, set(json.loads(meta["reversed"])), Decimal(meta["hours"]))
        latest, genesis_id = int(meta["latest"]), meta["genesis"]
    except (sqlite3.Error, KeyError, ValueError, TypeError):
        return None
    if genesis_id != start or git(coop.root, "merge-base", "--is-ancestor", commit, head, check=False, status=True) != 0:
        base.close()
        return None
    return commit, State(books, latest)


def _save_state(coop: Coop, head: str, start: str, state: State, extends: str | None) -> None:
    """Keep what this clean run established: added to the saved state it started from, or written afresh."""
    path = _state_path(coop)
    path.parent.mkdir(exist_ok=True)
    books = state.books
    meta = {
        "commit": head,
        "genesis": start,
        "latest": str(state.latest),
        "count": str(len(books.ids)),
        "balances": json.dumps({a: str(b) for a, b in books.balances.items()}),
        "reversed": json.dumps(sorted(books.reversed)),
        "hours": str(books.hours),
    }
    if extends and books.ids.base is not None:
        target, database = path, books.ids.base
    else:
        target = path.with_suffix(f".{os.getpid()}.tmp")
        target.unlink(missing_ok=True)
        database = sqlite3.connect(target)
        database.execute("CREATE TABLE ids (id TEXT PRIMARY KEY, digest TEXT) WITHOUT ROWID")
        database.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    with database:
        database.executemany("INSERT OR REPLACE INTO ids VALUES (?, ?)", books.ids.layer.items())
        database.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta.items())
    if target != path:
        database.close()
        target.replace(path)
