"""`coop decisions`: every decision of every meeting, with its outcome."""

import typer

from coop_cli import governance
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit
from coop_cli.i18n import N_, _


def register(app: typer.Typer) -> None:
    app.command("decisions", help=_(
        "List every decision with its meeting, date, vote and outcome.\n\nExample: coop decisions --search suspension"
    ))(decisions)


COLUMNS = [
    Column("id", N_("Decision"), no_wrap=True),
    Column("date", N_("Date")),
    Column("meeting", N_("Meeting")),
    Column("text", N_("Text")),
    Column("vote", N_("Vote"), words=True),
    Column("outcome", N_("Outcome"), words=True),
]


def decisions(
    ctx: typer.Context,
    search: str = typer.Option(None, "--search", metavar="TEXT", help=N_("Only decisions whose text or id contains TEXT.")),
    fmt: Format = FORMAT,
) -> None:
    rows = [
        {"id": d.id, "date": m.date, "meeting": m.slug, "text": d.text,
         "vote": "consensus" if d.consensus else f"{d.votes_for}/{d.against}/{d.abstain}", "outcome": d.outcome}
        for m, d in governance.all_decisions(state(ctx).coop(), search)
    ]
    emit(rows, COLUMNS, fmt)
