"""`coop clone URL DIR`: a member's own copy of the books, set up and verified."""

from pathlib import Path

import typer

from coop_cli import sync as syncing
from coop_cli.book import Identity
from coop_cli.cli.options import AS, KEY, state
from coop_cli.cli.output import note
from coop_cli.errors import CoopError
from coop_cli.i18n import N_, _, ngettext


def register(app: typer.Typer) -> None:
    app.command("clone", help=_(
        "Copy a coop from URL into DIR, set up the journal merge driver and the allowed signers, verify the whole "
        "history, and with --as/--key make plain git commit, merge and rebase sign as that member.\n\n"
        "Example: coop clone git@example.org:coop.git ~/coop --expect 3f9c2a... --as agnes --key ~/.ssh/coop_agnes"
    ))(clone)


def clone(
    ctx: typer.Context,
    url: str = typer.Argument(..., metavar="URL"),
    directory: Path = typer.Argument(..., metavar="DIR"),
    expect: str = typer.Option(None, "--expect", metavar="FINGERPRINT", help=N_("The fingerprint your coop publishes: books that begin anywhere else are refused.")),
    as_member: str = AS,
    key: str = KEY,
) -> None:
    state(ctx)
    coop, report = syncing.clone(url, directory, Identity(as_member, key) if as_member else None, expect)
    if report.findings:
        for finding in report.findings:
            note(str(finding))
        raise CoopError(
            ngettext(
                "the copy in {folder} does not verify ({n} problem); it was kept for inspection, but do not record in it",
                "the copy in {folder} does not verify ({n} problems); it was kept for inspection, but do not record in it",
                len(report.findings),
            ).format(folder=directory, n=len(report.findings))
        )
    typer.echo(_("Fingerprint: {fingerprint}").format(fingerprint=report.genesis))
    if not expect:
        note(_("Compare this fingerprint with the one your coop publishes: only it tells these are your coop's books."))
    typer.echo(
        ngettext("Cloned and verified {n} commit into {folder}.", "Cloned and verified {n} commits into {folder}.", report.commits).format(
            n=report.commits, folder=coop.root
        )
    )
