"""`coop meeting ...`: minutes and decisions, kept as markdown under ledger/meetings/."""

from __future__ import annotations

import json
import sys
from typing import List

import typer

from coop_cli import governance
from coop_cli.cli.options import AS, FORMAT, KEY, Format, identity, state
from coop_cli.cli.output import Column, Word, emit, json_value
from coop_cli.cli.output import note as say
from coop_cli.i18n import N_, _, ngettext, word
from coop_cli.model import Meeting, format_hours


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("Meetings: minutes, attendance, decisions and meeting credits."), no_args_is_help=True)
    group.command("new", help=_(
        "Open the minutes of a meeting: ledger/meetings/DATE-title.md.\n\n"
        "Example: coop meeting new \"Assemblée plénière\" --date 2026-03-10 --duration 2 --place \"Maison des associations\""
    ))(new)
    group.command("attend", help=_("Add members to the attendees.\n\nExample: coop meeting attend 2026-03-10-assemblee-pleniere agnes bernard"))(attend)
    group.command("note", help=_(
        "Add a line to the meeting's notes, markdown allowed; it may not start a heading, a list, a quotation or a code block.\n\n"
        "Example: coop meeting note 2026-03-10-assemblee-pleniere \"Tour de table ; **trois** nouveaux membres\""))(note)
    group.command("decide", help=_(
        "Record a decision, numbered D-YYYY-NNN, with its vote; the outcome (adopted, rejected, no quorum) follows the "
        "charter's quorum and majority.\n\n"
        "Example: coop meeting decide 2026-03-10-assemblee-pleniere \"Créer le groupe communication\" --for 12 --against 1 --abstain 2"
    ))(decide)
    group.command("close", help=_(
        "Close the minutes for good; with meeting_credit, each attendee earns the meeting's duration from the coop "
        "account, in the same commit. A treasurer or a secretary closes a meeting and signs its credits. The minutes "
        "end with the quorum count, who was credited and who was not.\n\nExample: coop meeting close 2026-03-10-assemblee-pleniere"
    ))(close)
    group.command("list", help=_("Every meeting, oldest first.\n\nExample: coop meeting list --format csv"))(list_meetings)
    group.command("show", help=_(
        "One meeting's minutes, as written; --format table, csv or json gives its fields, attendees, notes and decisions.\n\n"
        "Example: coop meeting show 2026-03-10-assemblee-pleniere --format json"
    ))(show)
    app.add_typer(group, name="meeting")


MEETING = typer.Argument(..., metavar="MEETING", help=N_("The meeting's name, e.g. 2026-03-10-assemblee-pleniere."))


def new(
    ctx: typer.Context,
    title: str = typer.Argument(..., metavar="TITLE"),
    when: str = typer.Option(..., "--date", metavar="YYYY-MM-DD"),
    duration: str = typer.Option(..., "--duration", metavar="HOURS", help=N_("How long it lasted: 2, 1h30, 90m.")),
    place: str = typer.Option(None, "--place", metavar="PLACE"),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    meeting, commit = governance.new_meeting(state(ctx).coop(), identity(as_member, key), title, when, duration, place)
    typer.echo(_("Opened the minutes {slug} in commit {commit}.").format(slug=meeting.slug, commit=commit[:10]))


def attend(ctx: typer.Context, slug: str = MEETING, members: List[str] = typer.Argument(..., metavar="MEMBER..."), as_member: str = AS, key: str = KEY) -> None:
    meeting, commit = governance.attend(state(ctx).coop(), identity(as_member, key), slug, members)
    typer.echo(ngettext("{n} attendee at {slug} (commit {commit}).", "{n} attendees at {slug} (commit {commit}).", len(meeting.attendees)).format(
        n=len(meeting.attendees), slug=slug, commit=commit[:10]))


def note(ctx: typer.Context, slug: str = MEETING, text: str = typer.Argument(..., metavar="TEXT"), as_member: str = AS, key: str = KEY) -> None:
    _meeting, commit = governance.note(state(ctx).coop(), identity(as_member, key), slug, text)
    typer.echo(_("Noted in {slug} (commit {commit}).").format(slug=slug, commit=commit[:10]))


def decide(
    ctx: typer.Context,
    slug: str = MEETING,
    text: str = typer.Argument(..., metavar="TEXT"),
    votes_for: int = typer.Option(0, "--for", metavar="N"),
    against: int = typer.Option(0, "--against", metavar="N"),
    abstain: int = typer.Option(0, "--abstain", metavar="N"),
    consensus: bool = typer.Option(False, "--consensus", help=N_("Taken by consensus, without a vote.")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    decision, commit = governance.decide(state(ctx).coop(), identity(as_member, key), slug, text, votes_for, against, abstain, consensus)
    typer.echo(_("{id}: {outcome} (commit {commit}).").format(id=decision.id, outcome=word(decision.outcome), commit=commit[:10]))


def close(ctx: typer.Context, slug: str = MEETING, as_member: str = AS, key: str = KEY) -> None:
    meeting, entries, uncredited, commit = governance.close(state(ctx).coop(), identity(as_member, key), slug)
    say(*uncredited)
    typer.echo(ngettext(
        "Closed {slug}: {n} attendee credited {hours} h (commit {commit}).",
        "Closed {slug}: {n} attendees credited {hours} h each (commit {commit}).",
        len(entries),
    ).format(slug=slug, n=len(entries), hours=format_hours(meeting.duration), commit=commit[:10]))


COLUMNS = [
    Column("meeting", N_("Meeting")),
    Column("title", N_("Title")),
    Column("date", N_("Date")),
    Column("duration", N_("Hours"), numeric=True),
    Column("attendees", N_("Attendees"), numeric=True),
    Column("decisions", N_("Decisions"), numeric=True),
    Column("status", N_("Status"), words=True),
]


def list_meetings(ctx: typer.Context, fmt: Format = FORMAT) -> None:
    rows = [
        {"meeting": m.slug, "title": m.title, "date": m.date, "duration": m.duration, "attendees": len(m.attendees),
         "decisions": len(m.decisions), "status": m.status}
        for m in state(ctx).coop().meetings()
    ]
    emit(rows, COLUMNS, fmt)


SHOWN = typer.Option(None, "--format", help=N_("table, csv or json instead of the minutes as written."))


def show(ctx: typer.Context, slug: str = MEETING, fmt: Format = SHOWN) -> None:
    from coop_cli import meetings as meetings_format

    coop = state(ctx).coop()
    meeting = governance.find_meeting(coop, slug)
    if fmt is None:
        typer.echo(coop.read(meetings_format.path_of(slug)), nl=False)
    elif fmt is Format.json:
        sys.stdout.write(json.dumps(_document(meeting), ensure_ascii=False, indent=2) + "\n")
    else:
        emit(_fields(meeting, fmt), [Column("field", N_("Field")), Column("value", N_("Value"))], fmt)


def _document(meeting: Meeting) -> dict:
    """The minutes for scripts: the duration as a decimal string, attendees and notes as lists, each decision whole."""
    return {
        "meeting": meeting.slug, "title": meeting.title, "date": json_value(meeting.date), "duration": json_value(meeting.duration),
        "place": meeting.place, "status": meeting.status, "attendees": list(meeting.attendees), "notes": list(meeting.notes),
        "decisions": [
            {"decision": d.id, "text": d.text, "for": d.votes_for, "against": d.against, "abstain": d.abstain,
             "consensus": d.consensus, "outcome": d.outcome}
            for d in meeting.decisions
        ],
        "language": meeting.language,
        "closing": None if meeting.closing is None else {
            "present": meeting.closing.present, "active": meeting.closing.active, "quorum": str(meeting.closing.quorum),
            "quorum_met": meeting.closing.met, "hours": json_value(meeting.closing.hours), "credited": list(meeting.closing.credited),
            "not_credited": list(meeting.closing.uncredited),
        },
    }


def _fields(meeting: Meeting, fmt: Format) -> list[dict]:
    """The minutes as field and value rows, as `coop member show` gives a member: one row per note and per decision,
    whose vote and outcome a table says in the reader's language, and CSV in English whatever the locale."""
    rows = [
        ("meeting", meeting.slug), ("title", meeting.title), ("date", meeting.date), ("duration", meeting.duration),
        ("place", meeting.place), ("status", Word(meeting.status)), ("attendees", " ".join(meeting.attendees)),
        *(("note", text) for text in meeting.notes),
    ]
    for d in meeting.decisions:
        if fmt is not Format.table:
            vote = "consensus" if d.consensus else f"{d.votes_for} for, {d.against} against, {d.abstain} abstaining"
            rows.append((d.id, f"{d.text} ({d.outcome}: {vote})"))
            continue
        vote = word("consensus") if d.consensus else _("{yes} for, {no} against, {abstain} abstaining").format(yes=d.votes_for, no=d.against, abstain=d.abstain)
        rows.append((d.id, _("{text} ({outcome}: {vote})").format(text=d.text, outcome=word(d.outcome), vote=vote)))
    return [{"field": Word(field), "value": value} for field, value in rows]
