"""`coop revert ID --reason TEXT` / `coop revert --commit C --reason TEXT`: append the entries that reverse mistaken ones."""

import typer

from coop_cli import book
from coop_cli.cli.options import AS, KEY, identity, state
from coop_cli.cli.output import note
from coop_cli.errors import BadInput
from coop_cli.i18n import N_, _, ngettext


def register(app: typer.Typer) -> None:
    app.command("revert", help=_(
        "Reverse an entry by appending its opposite (kind: reversal, reverses: ID); the books are never edited. "
        "An entry can be reversed once.\n\n"
        "With --commit C, every entry that commit added is reversed in one signed commit: a batch imported twice is undone at once "
        "(entries already reversed are left as they are, and named).\n\n"
        "Example: coop revert 01JQ8X3V5ZK2M4N6P8R0T2W4Y6 --reason \"Recorded twice\"\n\n"
        "Example: coop revert --commit 59f1213 --reason \"Slips imported twice\""
    ))(revert)


def revert(
    ctx: typer.Context,
    entry_id: str = typer.Argument(None, metavar="ID", show_default=False, help=N_("The id of the entry to reverse.")),
    commit: str = typer.Option(None, "--commit", metavar="COMMIT", help=N_("Reverse every entry this commit added (see coop log).")),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help=N_("Why; becomes the reversal's description.")),
    when: str = typer.Option(None, "--date", metavar="YYYY-MM-DD", help=N_("Date of the reversal (default: today).")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    if (entry_id is None) == (commit is None):
        raise BadInput(_("give the ID of one entry, or --commit COMMIT for every entry of a commit, not both"))
    coop, who = state(ctx).coop(), identity(as_member, key)
    if entry_id is not None:
        entry, made, notes = book.revert(coop, who, entry_id, reason, when)
        note(*notes)
        typer.echo(_("Reversed {original} with {id} in commit {commit}.").format(original=entry_id, id=entry.id, commit=made[:10]))
        return
    done = book.revert_commit(coop, who, commit, reason, when)
    note(*done.notes)
    for entry in done.entries:
        typer.echo(_("{original} reversed by {id}").format(original=entry.tag("reverses"), id=entry.id))
    typer.echo(ngettext("Reversed {n} entry of commit {original} in commit {commit}.", "Reversed {n} entries of commit {original} in commit {commit}.", len(done.entries)).format(
        n=len(done.entries), original=done.reverted[:10], commit=done.commit[:10]))
