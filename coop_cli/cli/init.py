"""`coop init DIR --name NAME`: a new, empty coop repository."""

from pathlib import Path

import typer

from coop_cli import book
from coop_cli.i18n import N_, _


def register(app: typer.Typer) -> None:
    app.command("init", help=_(
        "Create a new coop repository in DIR: git, a charter with the default rules, an empty register and ledger, "
        "and the journal merge driver.\n\nExample: coop init ~/coop --name \"Bâtissons l'Alternative\""
    ))(init)


def init(
    directory: Path = typer.Argument(..., metavar="DIR", help=N_("Folder to create (must be empty or absent).")),
    name: str = typer.Option(..., "--name", metavar="NAME", help=N_("The cooperative's name.")),
) -> None:
    commit = book.init(directory, name)
    typer.echo(_("Created the coop {name!r} in {folder} (commit {commit}).").format(name=name, folder=directory, commit=commit[:10]))
    typer.echo(_("Fingerprint: {fingerprint}").format(fingerprint=commit))
    typer.echo(_("Publish it (on the charter's page, at meetings): a copy made with coop clone --expect FINGERPRINT accepts these books and no others."))
    typer.echo(_("Next: coop key new, then coop -C {folder} member add ID --name NAME --pubkey KEY.pub --role treasurer --key KEY").format(folder=directory))
