"""`coop revert ID --reason TEXT`: append the entry that reverses a mistaken one."""

import typer

from coop_cli import book
from coop_cli.cli.options import AS, KEY, identity, state
from coop_cli.cli.output import note
from coop_cli.i18n import _


def register(app: typer.Typer) -> None:
    app.command("revert", help=_(
        "Reverse an entry by appending its opposite (kind: reversal, reverses: ID); the books are never edited. "
        "An entry can be reversed once.\n\nExample: coop revert 01JQ8X3V5ZK2M4N6P8R0T2W4Y6 --reason \"Recorded twice\""
    ))(revert)


def revert(
    ctx: typer.Context,
    entry_id: str = typer.Argument(..., metavar="ID", help=_("The id of the entry to reverse.")),
    reason: str = typer.Option(..., "--reason", help=_("Why; becomes the reversal's description.")),
    when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=_("Date of the reversal (default: today).")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    entry, commit, notes = book.revert(state(ctx).coop(), identity(as_member, key), entry_id, reason, when)
    note(*notes)
    typer.echo(_("Reversed {original} with {id} in commit {commit}.").format(original=entry_id, id=entry.id, commit=commit[:10]))
