"""`coop key new`: make an ed25519 signing key for a member who has none."""

import os
import sys
from pathlib import Path

import typer

from coop_cli.i18n import N_, _


def register(app: typer.Typer) -> None:
    group = typer.Typer(help=_("Signing keys."), no_args_is_help=True)
    group.command("new", help=_(
        "Create an ed25519 key pair for signing (private key mode 0600, never overwritten). The passphrase comes from "
        "COOP_KEY_PASSPHRASE, or is asked on a terminal (empty for none).\n\nExample: coop key new --file ~/.ssh/coop_agnes --comment agnes@laptop"
    ))(new)
    app.add_typer(group, name="key")


def new(
    file: Path = typer.Option(Path("~/.ssh/coop_ed25519"), "--file", metavar="FILE", help=N_("Where to write the private key; the public key goes beside it as FILE.pub.")),
    comment: str = typer.Option(None, "--comment", metavar="TEXT", help=N_("Comment at the end of the public key (default: user@host).")),
) -> None:
    from coop_cli.signing import new_ed25519_key

    path = file.expanduser()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    public = new_ed25519_key(path, comment or _default_comment(), _passphrase())
    typer.echo(_("Wrote the private key {path} and the public key {path}.pub").format(path=path))
    typer.echo(f"{public.openssh()} {public.comment}".rstrip())
    typer.echo(_("Next: a treasurer runs coop member key add MEMBER {path}.pub").format(path=path))


def _passphrase() -> str | None:
    if "COOP_KEY_PASSPHRASE" in os.environ:
        return os.environ["COOP_KEY_PASSPHRASE"] or None
    if not sys.stdin.isatty():
        return None
    import getpass

    first = getpass.getpass(_("Passphrase for the new key (empty for none): "))
    if first and getpass.getpass(_("Same passphrase again: ")) != first:
        from coop_cli.errors import BadInput

        raise BadInput(_("the two passphrases differ; no key was written"))
    return first or None


def _default_comment() -> str:
    import socket

    return f"{os.environ.get('USER', 'member')}@{socket.gethostname()}"
