"""`coop record`: append one signed exchange (or a whole CSV batch, or a pile typed in a guided session) and commit it,
or with --dry-run only show it."""

import hashlib
import sys
from pathlib import Path

import typer

from coop_cli import book, slips
from coop_cli.cli.options import AS, KEY, identity, state
from coop_cli.cli.output import note
from coop_cli.errors import BadInput, CoopError
from coop_cli.i18n import N_, _, ngettext
from coop_cli.model import format_hours, party


def register(app: typer.Typer) -> None:
    app.command(
        "record",
        help=_(
            "Record that PAYER paid EARNER HOURS for a service, signed by you, in one commit. HOURS: 2, 1.5, 2,5, 1h30, 90m or 0:45. "
            "PAYER or EARNER is a member's id (a name is answered with the ids it may mean), or `coop`, the coop's own account.\n\n"
            "Example: coop record bernard agnes 2 \"Jardinage chez Bernard\" --cat jardinage\n\n"
            "A description that starts with a dash goes after --: coop record -- bernard agnes 1 \"-h\"\n\n"
            "With --batch FILE.csv every row is checked first, then all are written in one commit, or none. The file is what "
            "a spreadsheet saves: cells separated by commas, semicolons or tabs, in UTF-8 or Windows-1252, dates as "
            "2026-03-12 or 12/03/2026, and either no header row (columns date,payer,earner,hours,description[,cat]) or "
            "one naming the columns in English or French (date;payeur;bénéficiaire;heures;description;catégorie).\n\n"
            "The same exchange twice (in the file, or already in the books) is refused, and so is a file imported before, "
            "unless --allow-duplicates. --dry-run shows what would be recorded and the balances after, and writes nothing.\n\n"
            "Example: coop record --batch slips.csv --dry-run\n\n"
            "With no arguments, on a terminal, coop record asks for a pile of slips field by field (Tab completes names and "
            "categories), checks each slip as it is typed, shows the pile in a table, and records it in one commit once you "
            "confirm. Until then the pile is kept as a draft: after a kill or Ctrl-C, the next coop record offers to take it up. "
            "--date and --cat then prefill the first slip's date and each slip's category."
        ),
        context_settings={"ignore_unknown_options": True},  # so that `-2` reaches the hours check, which explains it
    )(record)


def record(
    ctx: typer.Context,
    payer: str = typer.Argument(None, metavar="PAYER", show_default=False, help=N_("Member who receives the service and pays the hours.")),
    earner: str = typer.Argument(None, metavar="EARNER", show_default=False, help=N_("Member who gave the service and earns the hours.")),
    hours: str = typer.Argument(None, metavar="HOURS", show_default=False, help=N_("How long: 2, 1.5, 2,5, 1h30, 90m, 0:45.")),
    description: str = typer.Argument(None, metavar="DESCRIPTION", show_default=False, help=N_("What was exchanged.")),
    when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=N_("Date of the exchange (default: today).")),
    cat: str = typer.Option(None, "--cat", metavar="CATEGORY", help=N_("Category, e.g. jardinage.")),
    new_cat: bool = typer.Option(False, "--new-cat", help=N_("Take a category that is not in the charter's list; without it, one is refused with the categories it may mean.")),
    batch: Path = typer.Option(None, "--batch", metavar="FILE.csv", help=N_("Record every row of a CSV file in one commit.")),
    encoding: str = typer.Option(None, "--encoding", metavar="NAME", help=N_("The batch file's encoding, e.g. utf-8 or cp1252 (default: found from the file).")),
    dry_run: bool = typer.Option(False, "--dry-run", help=N_("Check everything and show what would be recorded, with the balances after; write nothing.")),
    allow_duplicates: bool = typer.Option(False, "--allow-duplicates", help=N_("Record an exchange even if the same one is in the books or the file, or the file was imported before.")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    coop = state(ctx).coop()
    who = identity(as_member, key)
    options = {"dry_run": dry_run, "allow_duplicates": allow_duplicates, "new_cat": new_cat}
    if batch is not None:
        if any(v is not None for v in (payer, earner, hours, description, when, cat)):
            raise BadInput(_("--batch takes the exchanges from the file; give no other arguments"))
        data = _read(batch)
        rows = slips.read_batch(slips.decode(data, str(batch), encoding), str(batch))
        done = book.record(coop, who, rows, origin=str(batch), digest=hashlib.sha256(data).hexdigest(), **options)
    else:
        if encoding is not None:
            raise BadInput(_("--encoding is the encoding of a --batch file; give it with --batch"))
        if all(value is None for value in (payer, earner, hours, description)) and sys.stdin.isatty() and sys.stdout.isatty():
            from coop_cli.cli import guided  # prompt_toolkit is loaded only for a guided session

            done = guided.guided(coop, who, when=when, cat=cat, **options)
            if done is None:
                return
            if dry_run:
                _show(coop, done)
                typer.echo(guided.kept_as_draft(len(done.entries)))
                return
        else:
            done = _one(coop, who, payer, earner, hours, description, when, cat, options)
    _show(coop, done)


def _one(coop, who, payer, earner, hours, description, when, cat, options) -> book.Recorded:
    missing = [name for name, value in (("PAYER", payer), ("EARNER", earner), ("HOURS", hours), ("DESCRIPTION", description)) if value is None]
    if missing:
        raise BadInput(_("missing argument {name} (usage: coop record PAYER EARNER HOURS DESCRIPTION)").format(name=missing[0]))
    return book.record(coop, who, [book.Exchange(payer, earner, hours, description, when, cat)], **options)


def _show(coop, done: book.Recorded) -> None:
    """What was recorded, each entry with its id; or in a dry run what would be, with the balances after."""
    note(*done.notes)
    unit = coop.charter().unit
    for entry in done.entries:
        line = _("{date}  {payer} -> {earner}  {hours} {unit}  {description}").format(
            date=entry.date, payer=party(entry.payer), earner=party(entry.earner), hours=format_hours(entry.hours), unit=unit, description=entry.description
        )
        typer.echo(line if done.commit is None else f"{entry.id}  {line}")
    if done.commit is not None:
        typer.echo(ngettext("Recorded {n} exchange in commit {commit}.", "Recorded {n} exchanges in commit {commit}.", len(done.entries)).format(
            n=len(done.entries), commit=done.commit[:10]))
        return
    names = {m.account: m.name for m in coop.register().members}
    typer.echo(_("Balances after:"))
    for account, (before, after) in sorted(done.balances.items()):
        typer.echo(_("  {member} ({name}): {before} -> {after} {unit}").format(
            member=party(account), name=names.get(account, _("the coop account")), before=format_hours(before), after=format_hours(after), unit=unit))
    typer.echo(ngettext("Dry run: {n} exchange would be recorded; nothing was written.", "Dry run: {n} exchanges would be recorded; nothing was written.",
                        len(done.entries)).format(n=len(done.entries)))


def _read(path: Path) -> bytes:
    try:
        if path.stat().st_size > slips.MAX_BATCH_BYTES:
            raise CoopError(_("{file} is larger than {n} bytes").format(file=path, n=slips.MAX_BATCH_BYTES))
        return path.read_bytes()
    except OSError as problem:
        raise CoopError(_("cannot read {file}: {reason}").format(file=path, reason=problem.strerror)) from None
