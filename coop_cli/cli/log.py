"""`coop log`: the history of the books as people read it: who recorded what, when, in which commit, verified or not."""

import typer

from coop_cli import verify as audit
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit
from coop_cli.i18n import N_, _
from coop_cli.model import member_account, parse_date, party


def register(app: typer.Typer) -> None:
    app.command("log", help=_(
        "Every entry in the order it entered the history: its date, who recorded it, payer, earner, hours, the commit "
        "that added it and whether its signature verifies with a key its recorder had then.\n\n"
        "Example: coop log --member agnes --since 2026-01-01"
    ))(log)


COLUMNS = [
    Column("date", N_("Date")),
    Column("recorded", N_("Recorded")),
    Column("by", N_("By")),
    Column("payer", N_("Payer")),
    Column("earner", N_("Earner")),
    Column("hours", N_("Hours"), numeric=True),
    Column("description", N_("Description")),
    Column("id", N_("Id"), no_wrap=True),
    Column("commit", N_("Commit"), no_wrap=True),
    Column("signature", N_("Signature"), words=True),
]


def log(
    ctx: typer.Context,
    member: str = typer.Option(None, "--member", metavar="MEMBER", help=N_("Only entries this member paid, earned or recorded.")),
    since: str = typer.Option(None, "--since", metavar="YYYY-MM-DD", help=N_("Only entries dated on or after this day.")),
    fmt: Format = FORMAT,
) -> None:
    from datetime import datetime, timezone

    start = parse_date(since, "--since") if since else None
    coop = state(ctx).coop()
    coop.journal_files()  # books missing from this copy are refused, as by every report, though the log reads history
    if member is not None:
        coop.register().require_party(member)
    report = audit.audit(coop, full=True, keep_entries=True)
    rows = []
    for item in report.recorded:
        entry = item.entry
        if start and entry.date < start:
            continue
        if member and member not in (entry.recorder, party(entry.payer), party(entry.earner)) and member_account(member) not in (entry.payer, entry.earner):
            continue
        rows.append({
            "date": entry.date, "recorded": datetime.fromtimestamp(item.time, timezone.utc).strftime("%Y-%m-%d %H:%M"),
            "by": entry.recorder, "payer": party(entry.payer), "earner": party(entry.earner), "hours": entry.hours,
            "description": entry.description, "id": entry.id, "commit": item.commit[:10],
            "signature": "verified" if item.signed_by else "NOT VERIFIED",
        })
    emit(rows, [c for c in COLUMNS if c.key != "recorded"] if fmt is Format.table else COLUMNS, fmt)
