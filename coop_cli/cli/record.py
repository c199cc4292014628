"""`coop record`: append one signed exchange (or a whole CSV batch) and commit it."""

from pathlib import Path

import typer

from coop_cli import book
from coop_cli.cli.options import AS, KEY, identity, state
from coop_cli.cli.output import note
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import _, ngettext
from coop_cli.model import format_hours, party


def register(app: typer.Typer) -> None:
    app.command(
        "record",
        help=_(
            "Record that PAYER paid EARNER HOURS for a service, signed by you, in one commit. HOURS: 2, 1.5, 2,5, 1h30, 90m or 0:45. "
            "PAYER or EARNER may be `coop`, the coop's own account.\n\n"
            "Example: coop record bernard agnes 2 \"Jardinage chez Bernard\" --cat jardinage\n\n"
            "A description that starts with a dash goes after --: coop record -- bernard agnes 1 \"-h\"\n\n"
            "With --batch FILE.csv (columns date,payer,earner,hours,description[,cat]) every row is checked first, "
            "then all are written in one commit, or none."
        ),
        context_settings={"ignore_unknown_options": True},  # so that `-2` reaches the hours check, which explains it
    )(record)


def record(
    ctx: typer.Context,
    payer: str = typer.Argument(None, metavar="PAYER", show_default=False, help=_("Member who receives the service and pays the hours.")),
    earner: str = typer.Argument(None, metavar="EARNER", show_default=False, help=_("Member who gave the service and earns the hours.")),
    hours: str = typer.Argument(None, metavar="HOURS", show_default=False, help=_("How long: 2, 1.5, 2,5, 1h30, 90m, 0:45.")),
    description: str = typer.Argument(None, metavar="DESCRIPTION", show_default=False, help=_("What was exchanged.")),
    when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=_("Date of the exchange (default: today).")),
    cat: str = typer.Option(None, "--cat", help=_("Category, e.g. jardinage.")),
    batch: Path = typer.Option(None, "--batch", metavar="FILE.csv", help=_("Record every row of a CSV file in one commit.")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    coop = state(ctx).coop()
    who = identity(as_member, key)
    if batch is not None:
        if any(v is not None for v in (payer, earner, hours, description, when, cat)):
            raise BadInput(_("--batch takes the exchanges from the file; give no other arguments"))
        rows = book.read_batch(_read(batch), str(batch))
        entries, commit, notes = book.record(coop, who, rows, origin=str(batch))
    else:
        missing = [name for name, value in (("PAYER", payer), ("EARNER", earner), ("HOURS", hours), ("DESCRIPTION", description)) if value is None]
        if missing:
            raise BadInput(_("missing argument {name} (usage: coop record PAYER EARNER HOURS DESCRIPTION)").format(name=missing[0]))
        exchange = book.Exchange(payer, earner, hours, description, when, cat)
        entries, commit, notes = book.record(coop, who, [exchange])
    note(*notes)
    unit = coop.charter().unit
    for entry in entries:
        typer.echo(
            _("{id}  {date}  {payer} -> {earner}  {hours} {unit}  {description}").format(
                id=entry.id, date=entry.date, payer=party(entry.payer), earner=party(entry.earner), hours=format_hours(entry.hours), unit=unit, description=entry.description
            )
        )
    typer.echo(ngettext("Recorded {n} exchange in commit {commit}.", "Recorded {n} exchanges in commit {commit}.", len(entries)).format(n=len(entries), commit=commit[:10]))


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as problem:
        raise CoopError(_("cannot read {file}: {reason}").format(file=path, reason=problem.strerror)) from None
    except UnicodeDecodeError:
        raise CoopError(_("{file} is not UTF-8 text").format(file=path)) from None
