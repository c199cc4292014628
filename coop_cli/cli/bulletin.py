"""`coop bulletin`: the month in one printable page, in the coop's language: the internal bulletin the founding minutes asked for."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer

from coop_cli import bulletin as gathering
from coop_cli import i18n, matching, reports
from coop_cli.cli.needs import as_rows, matrix
from coop_cli.cli.options import state
from coop_cli.cli.report import say, write_page
from coop_cli.i18n import N_, _, ngettext, short_hours, word


def register(app: typer.Typer) -> None:
    app.command("bulletin", help=_(
        "The internal bulletin of a month (or any period written as hledger does), in the coop's language (the charter's "
        "language, unless --lang): new members, the exchanges (how many, how many hours, the most active categories), the "
        "meetings held and decisions taken, who is in which working group, new offers and wants, the needs matrix, and members "
        "who might help each other, without anyone's balance unless the charter's bulletin_balances allows it. --html FILE "
        "writes it as one page that prints on A4.\n\nExample: coop bulletin -p 2026-03 --html bulletin.html"
    ))(bulletin)


def bulletin(
    ctx: typer.Context,
    period: str = typer.Option(None, "-p", "--period", metavar="PERIOD", help=N_("The month (default: this month), or a year, quarter or day.")),
    html_file: Path = typer.Option(None, "--html", metavar="FILE", help=N_("Write the bulletin as a page to print to FILE instead of printing it.")),
) -> None:
    chosen = reports.parse_period(period or f"{date.today():%Y-%m}")
    coop = state(ctx).coop()
    charter = coop.charter()
    if ctx.find_root().params.get("lang") is None:
        i18n.use_language(charter.language)  # the coop's language, whoever prints it
    found = gathering.gather(coop, chosen, date.today())
    if html_file is not None:
        from coop_cli import html

        typer.echo(_("Wrote {file}").format(file=write_page(html_file, html.bulletin_page(found))))
        return
    _text(found)


def _text(found: gathering.Bulletin) -> None:
    say(_("{coop}: bulletin {period}").format(coop=found.charter.name, period=found.period.label))
    totals = found.totals
    say(_("Exchanges: {exchanges} · hours exchanged: {hours} · new members: {members} · meetings held: {meetings}").format(
        exchanges=i18n.number(totals.exchanges), hours=short_hours(totals.hours), members=len(found.new_members), meetings=len(found.meetings)))
    _heading(_("The month"))
    names = [m.name for m in found.new_members]
    say("  " + (_("Welcome to {names}.").format(names=", ".join(names)) if names else _("No new member in the period.")))
    say("  " + ngettext("{n} member took part in an exchange.", "{n} members took part in an exchange.", totals.active_members).format(
        n=i18n.number(totals.active_members)))
    if found.categories:
        busiest = ", ".join(_("{category} ({hours} h)").format(category=row.category, hours=short_hours(row.hours)) for row in found.categories)
        say("  " + _("Most active categories: {categories}.").format(categories=busiest))
    _heading(_("Meetings and decisions"))
    if not found.meetings:
        say("  " + _("No meeting was held in the period."))
    for meeting in found.meetings:
        say("  " + _("{date}: {title}, {n} present").format(date=i18n.day(meeting.date), title=meeting.title, n=len(meeting.attendees)))
    for decision in found.decisions:
        say("  " + _("{label}: {text}").format(label=f"{decision.decision} ({word(decision.outcome)})", text=decision.text))
    _heading(_("Who does what: the working groups"))
    if not found.groups:
        say("  " + _("The coop has no working group yet."))
    for group in found.groups:
        say("  " + _("{label}: {text}").format(label=group.name, text=", ".join(found.names.get(m, m) for m in group.members) or _("nobody yet")))
    _heading(_("New offers and wants"))
    if not found.new_offers and not found.new_wants:
        say("  " + _("No new offer or want in the period (see coop offer add and coop want add)."))
    for heading, pairs in ((_("Offers"), found.new_offers), (_("Wants"), found.new_wants)):
        if pairs:
            say("  " + heading)
        for member, service in pairs:
            said = _("{label}: {text}").format(label=member.name, text=service.text)
            say(f"    {said} ({', '.join(filter(None, (service.cat, service.availability)))})")
    _heading(_("Who might help whom"))
    if not found.matches:
        say("  " + _("No want meets an offer yet."))
    for number, s in enumerate(found.matches, start=1):
        say(f"  {number}. " + _("{payer} would like “{want}”; {earner} offers “{offer}”.").format(
            payer=s.payer.name, want=s.want.text, earner=s.earner.name, offer=s.offer.text))
        say("     " + matching.reason(s, found.charter.bulletin_balances))
    _heading(_("The needs matrix"))
    if found.needs:
        matrix(as_rows(found.needs))
    else:
        say("  " + _("No need is on the matrix yet."))


def _heading(text: str) -> None:
    say("\n" + text)
