"""`coop record` with no arguments, on a terminal: a pile of slips typed field by field, each checked as it is typed,
a running table of the pile, and one signed commit after a confirmation; until then the pile is a draft on disk.

The dialogue only: what is checked, and the draft, are `coop_cli.draft`; the commit is `book.record`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

import typer
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion, DummyCompleter
from prompt_toolkit.validation import ValidationError, Validator

from coop_cli import book, draft
from coop_cli.cli.options import Format
from coop_cli.cli.output import Column, emit, note
from coop_cli.errors import CoopError
from coop_cli.i18n import _, ngettext
from coop_cli.model import folded, format_hours, parse_hours, party, party_account
from coop_cli.slips import field_name

STOPPED = 130  # the exit status of a session stopped by Ctrl-C, as for any command interrupted


def guided(coop, who: book.Identity, *, when: str | None, cat: str | None, allow_duplicates: bool, dry_run: bool, new_cat: bool = False) -> book.Recorded | None:
    """Run a session to its end: the exchanges recorded (or in a dry run, what would be), or None if none were."""
    who = replace(who, passphrase=_asked_once(who.passphrase))
    with coop.alone(draft.LOCK, _("another guided session is open on this copy of the books; finish that one first")):
        pile = draft.Pile.open(coop, who, date.today(), when=when, cat=cat, allow_duplicates=allow_duplicates, new_cat=new_cat)
        session = Session(coop, pile, draft.Draft(recorder=pile.recorder.id, started=draft.started_now()))
        try:
            session.take_up(draft.load(coop))
            while True:
                session.type_slips()
                if not session.state.slips:
                    draft.discard(coop)
                    typer.echo(_("No slip was entered; nothing was written."))
                    return None
                if session.review():
                    break
            if dry_run:  # what would be recorded is shown as by any dry run, the pile kept as it is
                return book.record(coop, who, session.exchanges(), today=pile.today, allow_duplicates=allow_duplicates, dry_run=True, new_cat=new_cat)
            if not session.confirm():
                typer.echo(kept_as_draft(len(session.state.slips)))
                return None
        except (KeyboardInterrupt, EOFError):
            draft.save(coop, session.state)
            note(_("stopped; nothing was written, and everything typed is kept as a draft, which the next coop record offers to take up"))
            raise typer.Exit(STOPPED) from None
        try:
            done = book.record(coop, who, session.exchanges(), today=pile.today, allow_duplicates=allow_duplicates, new_cat=new_cat)
        except CoopError:
            note(_("the slips are kept as a draft, which the next coop record offers to take up"))
            raise
        draft.discard(coop)
        return done


def kept_as_draft(n: int) -> str:
    return ngettext(
        "Nothing was written. The slip is kept as a draft, which the next coop record offers to take up.",
        "Nothing was written. The {n} slips are kept as a draft, which the next coop record offers to take up.", n,
    ).format(n=n)


def _asked_once(ask):
    """The key is loaded when the session opens and again to sign: its passphrase is asked only the first time."""
    answers = []

    def once():
        if not answers:
            answers.append(ask() if ask else None)
        return answers[0]

    return once


class Session:
    """One guided session at a terminal: the draft it types into, saved at every field and every key pressed."""

    def __init__(self, coop, pile: draft.Pile, state: draft.Draft):
        self.coop, self.pile, self.state = coop, pile, state
        self.prompts: PromptSession = PromptSession()  # the fields of the slips, each key pressed kept in the draft
        self.prompts.default_buffer.on_text_changed += self._typed
        self.questions: PromptSession = PromptSession(validator=_Checked(_yes_or_no), validate_while_typing=False)
        self.typing = False

    def _typed(self, buffer) -> None:
        """Each key pressed in a field is kept: a session killed in the middle of a word loses nothing of it."""
        if self.typing:
            self.state.text = buffer.text
            draft.save(self.coop, self.state, durable=False)

    def exchanges(self):
        return [slip.exchange() for slip in self.state.slips]

    # ------------------------------------------------------------ a draft left by an earlier session

    def take_up(self, kept: draft.Draft | None) -> None:
        if kept is None or kept.empty:
            draft.save(self.coop, self.state)
            return
        self.show(kept.slips)
        n = len(kept.slips) + (0 if kept.slip.blank and not kept.text and kept.number is None else 1)
        question = ngettext(
            "A draft of {n} slip, begun by {member} on {started}, was kept. Take it up? (yes/no; no discards it) ",
            "A draft of {n} slips, begun by {member} on {started}, was kept. Take it up? (yes/no; no discards it) ", n,
        ).format(n=n, member=kept.recorder or "?", started=kept.started or "?")
        if not self.yes(question):
            if self.yes(ngettext("Discard the draft's slip for good? (yes/no) ", "Discard the draft's {n} slips for good? (yes/no) ", n).format(n=n)):
                draft.save(self.coop, self.state)
                return
            typer.echo(_("The draft is kept."))
            raise typer.Exit(0)
        self.state = kept
        self.report(dict(enumerate(self.pile.check(kept.slips)[0])))
        if not kept.slip.blank:
            typed = ", ".join(f"{field_name(name)} {getattr(kept.slip, name)}" for name in draft.FIELDS if getattr(kept.slip, name))
            typer.echo(_("Slip {number}, being typed: {fields}").format(number=kept.position + 1, fields=typed))

    # ------------------------------------------------------------ typing

    def type_slips(self) -> None:
        """Ask field after field, slip after slip, until an empty payer on a new slip says the pile is complete."""
        state = self.state
        while True:
            name = state.field
            answer = self.ask(name)
            if name == "payer":
                command = _command(answer)
                if command == ("finish", 0):
                    if state.slip.blank:
                        return
                    state.drop()  # an emptied payer gives up the slip being typed over
                    self.show(state.slips)
                    continue
                if command is not None:
                    self.act(*command)
                    continue
            state.accept(name, self.pile.read(name, answer, state.slip, state.slips[: state.position]))
            if name != "date":
                self.begin(draft.FIELDS[draft.FIELDS.index(name) + 1])
                continue
            problems = self.pile.check(state.placed())[0]
            if problems[state.position]:
                self.report({state.position: problems[state.position]})
                typer.echo(_("Correct it: each field comes back with what was typed, Enter keeps it; an emptied payer drops the slip."))
                self.begin("payer")
                continue
            state.place()
            self.begin("payer")
            self.show(state.slips)
            self.report(dict(enumerate(problems)))  # a slip typed over can change what the slips after it may do

    def begin(self, name: str) -> None:
        self.state.field = name
        self.state.text = self.pile.prefill(self.state, name)
        draft.save(self.coop, self.state)

    def act(self, what: str, number: int) -> None:
        if what == "correct":
            self.state.correct(number)
            self.begin("payer")
            typer.echo(_("Slip {number} comes back field by field; Enter keeps what it says.").format(number=number))
            return
        self.state.remove(number)
        self.begin("payer")
        typer.echo(_("Slip {number} is removed.").format(number=number))
        self.show(self.state.slips)
        self.report(dict(enumerate(self.pile.check(self.state.slips)[0])))

    def ask(self, name: str) -> str:
        state = self.state
        label = _("Slip {number}, {field}: ").format(number=state.position + 1, field=field_name(name))
        # A prompt session keeps the completer it was last given unless given another: the other fields get none.
        completer = _Names(self.pile) if name in ("payer", "earner") else _Categories(self.pile) if name == "cat" else DummyCompleter()
        self.typing = True
        try:
            return self.prompts.prompt(
                label, default=state.text, completer=completer, complete_while_typing=True,
                validator=_Checked(lambda text: self._check(name, text)), validate_while_typing=False,
                bottom_toolbar=self._hint(name),
            )
        finally:
            self.typing = False

    def _check(self, name: str, text: str) -> None:
        state = self.state
        command = _command(text) if name == "payer" else None
        if command is None:
            self.pile.read(name, text, state.slip, state.slips[: state.position])
        elif command[0] != "finish" and not state.slip.blank:
            raise CoopError(_("finish this slip first, or empty the payer to drop it"))
        elif command[0] != "finish" and not 1 <= command[1] <= len(state.slips):
            raise CoopError(ngettext("there is no slip {number}: the pile has {n} slip", "there is no slip {number}: the pile has {n} slips",
                                     len(state.slips)).format(number=command[1], n=len(state.slips)))

    def _hint(self, name: str) -> str:
        charter = self.pile.charter
        hints = {
            "payer": _("who received the service and pays · Tab: complete · Enter alone: finish · 3: correct slip 3 · -3: remove it"),
            "earner": _("who gave the service and earns · Tab: complete"),
            "hours": _("2, 1.5, 2,5, 1h30, 90m or 0:45, in steps of {step} h, at most {most} h").format(step=charter.step, most=charter.max_exchange),
            "description": _("what was exchanged"),
            "cat": _("a category, or nothing · Tab: complete"),
            "date": _("the day of the exchange, 2026-03-12 or 12/03/2026 · Enter keeps it"),
        }
        return hints[name] + "\n" + _("Ctrl-C: stop, keeping everything typed as a draft")

    # ------------------------------------------------------------ the pile

    def show(self, slips: list[draft.Slip]) -> None:
        """The running table: every slip entered so far, and the hours in all."""
        if not slips:
            return
        rows = [
            {"number": number, "date": slip.date, "payer": slip.payer, "earner": slip.earner, "hours": _hours(slip.hours),
             "description": slip.description, "cat": slip.cat}
            for number, slip in enumerate(slips, 1)
        ]
        columns = [
            Column("number", "#", numeric=True), Column("date", _("Date"), no_wrap=True), Column("payer", _("Payer")),
            Column("earner", _("Earner")), Column("hours", _("Hours"), numeric=True), Column("description", _("Description")),
            Column("cat", _("Category")),
        ]
        total = sum((row["hours"] for row in rows if isinstance(row["hours"], Decimal)), Decimal(0))
        footer = {"hours": total, "description": ngettext("{n} slip", "{n} slips", len(rows)).format(n=len(rows))}
        emit(rows, columns, Format.table, _("Slips entered"), footer)

    def report(self, problems: dict[int, list[str]]) -> None:
        """Each problem of each slip (by index in the pile), on its own line."""
        for index, messages in problems.items():
            for message in messages:
                typer.echo(_("Slip {number}: {problem}").format(number=index + 1, problem=message))

    def review(self) -> bool:
        """The pile may be recorded: every slip passes every check, as they stand now."""
        problems = self.pile.check(self.state.slips)[0]
        if any(problems):
            self.report(dict(enumerate(problems)))
            typer.echo(_("Correct these slips (type a slip's number at the payer) or remove them (-number) before recording."))
            return False
        return True

    def confirm(self) -> bool:
        """The balances the pile leaves, then the question; the table of the pile is on the screen already."""
        slips = self.state.slips
        balances = self.pile.check(slips)[1]
        unit = self.pile.charter.unit
        names = {m.account: m.name for m in self.pile.register.members}
        typer.echo(_("Balances after:"))
        for account in sorted({party_account(party) for slip in slips for party in (slip.payer, slip.earner)}):
            typer.echo(_("  {member} ({name}): {before} -> {after} {unit}").format(
                member=party(account), name=names.get(account, _("the coop account")),
                before=format_hours(self.pile.balances.get(account, Decimal(0))), after=format_hours(balances.get(account, Decimal(0))), unit=unit))
        total = sum((parse_hours(slip.hours) for slip in slips), Decimal(0))
        return self.yes(ngettext(
            "Record this exchange ({hours} {unit}) in one signed commit? (yes/no) ",
            "Record these {n} exchanges ({hours} {unit}) in one signed commit? (yes/no) ", len(slips),
        ).format(n=len(slips), hours=format_hours(total), unit=unit))

    def yes(self, question: str) -> bool:
        return _yes_or_no(self.questions.prompt(question))


def _yes_or_no(text: str) -> bool:
    """yes or no, in English or in the language of the session, whole or by its first letter."""
    answer = folded(text.strip())
    for meaning, word in ((True, _("yes")), (False, _("no"))):
        english = "yes" if meaning else "no"
        if answer and answer in {english, english[0], folded(word), folded(word)[:1]}:
            return meaning
    raise CoopError(_("answer yes or no"))


def _command(text: str) -> tuple[str, int] | None:
    """What a payer field says besides a name: nothing (finish), a slip's number (correct it), minus one (remove it)."""
    text = text.strip()
    if not text:
        return ("finish", 0)
    found = re.fullmatch(r"(-?)\s*(\d{1,6})", text)
    if found is None:
        return None
    return ("remove" if found[1] else "correct", int(found[2]))


def _hours(text: str):
    try:
        return parse_hours(text)
    except CoopError:
        return text


class _Checked(Validator):
    """A prompt's check: a CoopError's sentence is shown under the line, and Enter does not leave it."""

    def __init__(self, check):
        self.check = check

    def validate(self, document) -> None:
        try:
            self.check(document.text)
        except CoopError as problem:
            raise ValidationError(len(document.text), problem.message) from None


class _Names(Completer):
    """Member ids: those the text starts (an id or a word of a name, without case or accents), else its near misses."""

    def __init__(self, pile: draft.Pile):
        self.pile = pile

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        if _command(text) is not None and text.strip():
            return
        for member_id, name in self.pile.members_like(text):
            yield Completion(member_id, start_position=-len(text), display_meta=name)


class _Categories(Completer):
    def __init__(self, pile: draft.Pile):
        self.pile = pile

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        for cat in self.pile.categories_like(text):
            yield Completion(cat, start_position=-len(text))
