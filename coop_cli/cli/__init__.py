"""The command line: typer commands over the core, and the one place errors become messages and exit codes.

Each command lives in its own module and is registered here explicitly.
"""

from __future__ import annotations

import os
import re
import signal
import sys

import typer

from coop_cli import __version__
from coop_cli.cli import clicktext
from coop_cli.errors import CoopError
from coop_cli.i18n import LANGUAGES, _, use_language

# Typer may carry its own copy of click: take click's exception classes from typer itself.
UsageError = typer.BadParameter.__mro__[1]
ClickException = UsageError.__mro__[1]


def _language_from(argv: list[str]) -> str | None:
    """`--lang` must act before the commands' help is built, so it is read from argv first."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_app() -> typer.Typer:
    from coop_cli.cli import (
        audit, balance, bulletin, charter, clone, decisions, group, init, key, log, match, meeting, member, merge_driver, needs, offer, record, report, revert, statement, sync, verify,
    )
    from coop_cli.cli.options import State

    app = typer.Typer(
        name="coop",
        help=_("coop: the signed, plain-text book of a time-bank cooperative.\n\nRun `coop COMMAND --help` for each command."),
        add_completion=False,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def main_options(
        ctx: typer.Context,
        directory: str = typer.Option(None, "-C", envvar="COOP_DIR", help=_("Work on the coop in DIR (default: the current folder or one above it); files named by other options are still found from the current folder."), metavar="DIR"),
        lang: str = typer.Option(None, "--lang", help=_("Language of messages: en or fr (default: the locale)."), metavar="LANG"),
        version: bool = typer.Option(False, "--version", is_eager=True, callback=_print_version, help=_("Print coop's version and exit.")),
    ) -> None:
        ctx.obj = State(directory)

    init.register(app)
    member.register(app)
    key.register(app)
    record.register(app)
    revert.register(app)
    balance.register(app)
    statement.register(app)
    report.register(app)
    verify.register(app)
    log.register(app)
    audit.register(app)
    clone.register(app)
    sync.register(app)
    meeting.register(app)
    decisions.register(app)
    charter.register(app)
    group.register(app)
    offer.register(app)
    match.register(app)
    needs.register(app)
    bulletin.register(app)
    merge_driver.register(app)
    return app


def _keep_examples_whole(command) -> None:
    """Click re-flows help paragraphs; `\\b` before an example paragraph keeps its command on one line to copy."""
    if command.help:
        command.help = re.sub(r"\n\n(?=[^\n]*: coop )", "\n\n\b\n", command.help)
    for sub in getattr(command, "commands", {}).values():
        _keep_examples_whole(sub)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"coop {__version__}")
        raise typer.Exit()


def main(argv: list[str] | None = None) -> None:
    """The console script: run one command, turning every error into one line on stderr and an exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # A file size limit then makes writes fail with an error coop can report, instead of killing it.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    language = _language_from(argv)
    if language is not None and language not in LANGUAGES:
        _error(_("--lang must be one of {choices}, got {value!r}").format(choices=", ".join(LANGUAGES), value=language))
        sys.exit(2)
    use_language(language)
    try:
        command = typer.main.get_command(build_app())
        clicktext.localise(command)
        _keep_examples_whole(command)
        status = command.main(args=argv, prog_name="coop", standalone_mode=False)
    except CoopError as problem:
        for line in problem.message.splitlines() or [""]:
            _error(line)
        sys.exit(problem.exit_code)
    except UsageError as problem:
        if type(problem).__name__ == "NoArgsIsHelpError":  # `coop` or `coop member` alone: show the help
            sys.stdout.write(problem.format_message() + "\n")
            sys.exit(0)
        message = clicktext.usage_message(problem)
        if problem.ctx:
            message = _("{message} (see {command} --help)").format(message=message, command=problem.ctx.command_path)
        _error(message)
        sys.exit(2)
    except ClickException as problem:
        _error(problem.format_message())
        sys.exit(problem.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _error(_("interrupted; nothing was written"))
        sys.exit(130)
    except BrokenPipeError:
        sys.stderr.close()  # `coop balance | head`: the reader left, which is not an error
        os._exit(0)
    except OSError as problem:
        where = f" ({problem.filename})" if problem.filename else ""
        _error(_("{reason}{where}; nothing was changed that coop cannot repair on its next run").format(reason=problem.strerror or problem, where=where))
        sys.exit(1)
    except Exception as problem:  # a bug: say so in one line, and keep the trace for whoever debugs it
        if os.environ.get("COOP_DEBUG"):
            raise
        _error(_("coop failed unexpectedly ({kind}: {problem}); run it again with COOP_DEBUG=1 and report the trace").format(
            kind=type(problem).__name__, problem=problem))
        sys.exit(1)
    sys.exit(status if isinstance(status, int) else 0)


def _error(message: str) -> None:
    sys.stderr.write(_("error: {message}").format(message=message) + "\n")
