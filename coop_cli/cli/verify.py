"""`coop verify`: the audit of the whole history; exit 1 naming every problem."""

import sys

import typer

from coop_cli import verify as audit
from coop_cli.cli.options import FORMAT, Format, state
from coop_cli.cli.output import Column, emit, note
from coop_cli.i18n import N_, _, ngettext


def register(app: typer.Typer) -> None:
    app.command("verify", help=_(
        "Check the whole history of the books: every entry signed with a key its recorder had, by someone allowed to record "
        "it, within the charter's limits; nothing edited, removed or replayed; rules changed only by signed commits of a "
        "treasurer or secretary; balances summing to zero. Exit 1 naming every problem. Incremental: only commits after "
        "the last verified one are read, unless --full. Members past a limit after entries recorded apart are listed as to "
        "settle, not as forgeries.\n\nExample: coop verify --full --expect 3f9c2a..."
    ))(verify)


COLUMNS = [
    Column("where", N_("Where")),
    Column("commit", N_("Commit"), no_wrap=True),
    Column("entry", N_("Entry"), no_wrap=True),
    Column("message", N_("Problem")),
]


def verify(
    ctx: typer.Context,
    full: bool = typer.Option(False, "--full", help=N_("Recheck everything, ignoring what was verified before.")),
    expect: str = typer.Option(None, "--expect", metavar="FINGERPRINT", help=N_("The fingerprint your coop publishes: the books must begin there.")),
    fmt: Format = FORMAT,
) -> None:
    coop = state(ctx).coop()
    with _progress() as progress:
        report = audit.audit(coop, full=full, progress=progress, expect=expect)
    findings = report.findings + [
        # The reports read the working tree: books that verify must be the books people are shown.
        audit.Finding(_("has changes that no commit holds (see git status): the reports show them, verify cannot vouch for them"), where=path)
        for path in coop.uncommitted()
    ]
    rows = [{"where": f.where, "commit": f.commit[:12] if f.commit else None, "entry": f.entry, "message": f.message} for f in findings]
    if findings or fmt is not Format.table:
        emit(rows, COLUMNS, fmt)
    for message in report.settle_messages:
        note(message)
    if findings:
        note(ngettext("{n} problem found.", "{n} problems found.", len(rows)).format(n=len(rows)))
        raise typer.Exit(1)
    note(
        ngettext(
            "The books verify: {n} commit checked up to {head}; the balances sum to zero.",
            "The books verify: {n} commits checked up to {head}; the balances sum to zero.",
            report.commits,
        ).format(n=report.commits, head=(report.head or "")[:10])
    )
    note(_("Fingerprint: {fingerprint} (the books begin there)").format(fingerprint=report.genesis))


class _progress:
    """A progress bar on stderr for long histories, when a person is watching."""

    def __enter__(self):
        self._bar = None
        return self.update

    def update(self, phase: str, done: int, total: int) -> None:
        if total < 50 or not sys.stderr.isatty():
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import Progress

            self._bar = Progress(transient=True, console=Console(stderr=True))
            self._bar.start()
            self._tasks = {}
        if phase not in self._tasks:
            label = _("reading the history") if phase == "history" else _("checking signatures")
            self._tasks[phase] = self._bar.add_task(label, total=total)
        self._bar.update(self._tasks[phase], completed=done)

    def __exit__(self, *_exc) -> None:
        if self._bar is not None:
            self._bar.stop()
