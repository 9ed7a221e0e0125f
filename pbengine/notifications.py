"""Mails to proposers: written in the proposer's language, sent by pyramid_mailer when the transaction commits.

Settings (``[app:main]``):

``mail.delivery``
    ``smtp`` (send through ``mail.host``), ``files`` (write each mail as a ``.eml`` file into
    ``mail.directory``: development, no SMTP server needed) or ``none`` (no mail). Unset: ``smtp``
    when ``mail.host`` is set, else ``none``.
``mail.host``, ``mail.port``, ``mail.username``, ``mail.password``, ``mail.tls``, ``mail.ssl``
    the SMTP server (pyramid_mailer's own settings).
``mail.default_sender``
    the From address.

Every delivery is transactional (pyramid_mailer's ``send`` joins the request's transaction): a
request that fails or is refused sends nothing, and a mail leaves only after the database
committed. A mail server that refuses or cannot be reached loses that mail, never the proposal
the request saved: the failure is logged with the kind of error only, never an address.

Links in the mails are built on ``pbengine.public_url`` (never on the request's Host header,
which the sender of a request chooses).
"""

from __future__ import annotations

import logging
import re
import secrets
import smtplib
from datetime import datetime
from pathlib import Path

from babel.dates import format_date
from pyramid.i18n import make_localizer
from pyramid.interfaces import ILocalizer, ITranslationDirectories
from pyramid_mailer import get_mailer
from pyramid_mailer.interfaces import IMailer
from pyramid_mailer.mailer import Mailer
from pyramid_mailer.message import Message
from translationstring import TranslationString

from .formatting import money
from .i18n import LANGUAGES, _
from .models import Budget, Project, Proposal, ProposalStatus

log = logging.getLogger(__name__)

DELIVERIES = ("smtp", "files", "none")


_BARE_LINE_END = re.compile(rb"\r?\n")


def _crlf(message):
    return _BARE_LINE_END.sub(b"\r\n", message) if isinstance(message, bytes) else message


class CRLF_SMTP(smtplib.SMTP):
    """SMTP that ends every line of the message with CRLF, as RFC 5321 requires.

    repoze.sendmail hands smtplib the message as bytes with bare LF line ends, which smtplib sends
    as they are; servers that refuse bare LF (aiosmtpd, Postfix with smtpd_forbid_bare_newline)
    then refuse the whole mail as one over-long line.
    """

    def sendmail(self, from_addr, to_addrs, msg, *args, **kwargs):
        return super().sendmail(from_addr, to_addrs, _crlf(msg), *args, **kwargs)


class CRLF_SMTP_SSL(smtplib.SMTP_SSL):
    def sendmail(self, from_addr, to_addrs, msg, *args, **kwargs):
        return super().sendmail(from_addr, to_addrs, _crlf(msg), *args, **kwargs)


class FileDelivery:
    """A repoze.sendmail mailer that writes each message into a folder instead of sending it."""

    def __init__(self, directory: str):
        self.directory = Path(directory)

    def send(self, fromaddr, toaddrs, message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        name = f"{datetime.now():%Y%m%d-%H%M%S}-{secrets.token_hex(4)}.eml"
        (self.directory / name).write_bytes(message.as_bytes())


class NoDelivery:
    def send(self, fromaddr, toaddrs, message) -> None:
        return None


class SafeDelivery:
    """Sends through ``inner``; a failure is logged (its kind only: no address) and does not fail the request.

    The database has committed when a transactional mail leaves (pyramid_mailer sends at the end of
    the two-phase commit): raising then would show an error page for a request whose work was saved.
    """

    def __init__(self, inner):
        self.inner = inner

    def send(self, fromaddr, toaddrs, message) -> None:
        try:
            self.inner.send(fromaddr, toaddrs, message)
        except Exception as error:  # noqa: BLE001 - any failure of the mail server loses only the mail
            log.error("a notification mail could not be delivered (%s)", type(error).__name__)


def delivery_of(settings) -> str:
    delivery = (settings.get("mail.delivery") or "").strip()
    if not delivery:
        return "smtp" if settings.get("mail.host") else "none"
    if delivery not in DELIVERIES:
        raise ValueError(f"mail.delivery must be one of {', '.join(DELIVERIES)}, not {delivery!r}")
    return delivery


def mailer_from_settings(settings) -> Mailer:
    """A pyramid_mailer ``Mailer`` whose transactional ``send`` goes to the configured delivery."""
    delivery = delivery_of(settings)
    sender = settings.get("mail.default_sender") or "pbengine@localhost"
    if delivery == "smtp":
        inner = Mailer.from_settings(settings, "mail.").smtp_mailer
        inner.smtp, inner.smtp_ssl = CRLF_SMTP, CRLF_SMTP_SSL  # repoze.sendmail's own hook
    elif delivery == "files":
        inner = FileDelivery(settings.get("mail.directory") or "var/mail")
    else:
        inner = NoDelivery()
    return Mailer(smtp_mailer=SafeDelivery(inner), default_sender=sender)


def localizer_for(registry, locale: str):
    """The localizer of ``locale`` (cached in the registry, as Pyramid caches the request's own)."""
    locale = locale if locale in LANGUAGES else "en"
    localizer = registry.queryUtility(ILocalizer, name=locale)
    if localizer is None:
        localizer = make_localizer(locale, registry.queryUtility(ITranslationDirectories, default=[]))
        registry.registerUtility(localizer, ILocalizer, name=locale)
    return localizer


def _translate(localizer, message) -> str:
    if isinstance(message, TranslationString) and message.mapping:
        mapping = {key: _translate(localizer, value) if isinstance(value, TranslationString) else value
                   for key, value in message.mapping.items()}
        message = TranslationString(message, mapping=mapping)
    return localizer.translate(message) if isinstance(message, TranslationString) else str(message)


class MailNotifier:
    """:class:`pbengine.services.notifications.Notifier` by mail.

    ``route_path(name, **parts)`` builds a path of the site (``request.route_path``); the links are
    ``public_url`` followed by that path.
    """

    def __init__(self, mailer, registry, public_url: str, route_path):
        self.mailer = mailer
        self.registry = registry
        self.public_url = (public_url or "").rstrip("/")
        self.route_path = route_path

    def link(self, route: str, **parts) -> str:
        return self.public_url + self.route_path(route, **parts)

    def _send(self, proposal: Proposal, subject, paragraphs) -> None:
        locale = proposal.locale if proposal.locale in LANGUAGES else "en"
        localizer = localizer_for(self.registry, locale)
        process = proposal.process
        footer = _("You receive this mail because you gave this address with your proposal to ${process}. "
                   "It is never published.", mapping={"process": process.localized("title", locale)})
        body = "\n\n".join(_translate(localizer, p) for p in [*paragraphs, footer]) + "\n"
        self.mailer.send(Message(
            subject=_translate(localizer, subject), recipients=[proposal.contact_email.strip()], body=body,
            extra_headers={"Content-Language": locale, "Auto-Submitted": "auto-generated"}))

    def _names(self, proposal: Proposal) -> dict:
        return {"title": proposal.title, "process": proposal.process.localized("title", proposal.locale)}

    def proposal_received(self, proposal: Proposal, token: str) -> None:
        names = self._names(proposal)
        self._send(proposal, _("Your proposal “${title}” was received", mapping=names), [
            _("Thank you for your proposal “${title}” to ${process}. The organizers will check it, estimate "
              "its cost and tell you whether it goes on the ballot.", mapping=names),
            _("Follow it at your private link below. Keep this mail: the link is sent only this once, "
              "and anyone who has it can read your proposal and, when the organizers ask for changes, "
              "edit it."),
            self.link("site.proposal_status", slug=proposal.process.slug, token=token),
        ])

    def proposal_changes_requested(self, proposal: Proposal) -> None:
        names = self._names(proposal)
        self._send(proposal, _("Changes requested for your proposal “${title}”", mapping=names), [
            _("The organizers of ${process} ask you to change your proposal “${title}”. Their message:",
              mapping=names),
            proposal.public_reason,
            _("Open the private link of the mail you received when you sent the proposal: it now shows the "
              "proposal's form. Edit it and send it again; the organizers will review it again."),
        ])

    def proposal_accepted(self, proposal: Proposal, project: Project) -> None:
        names = self._names(proposal) | {
            "budget": project.budget.name, "cost": money(project.cost, proposal.process.currency, proposal.locale)}
        paragraphs = [_("Good news: your proposal “${title}” to ${process} is on the ballot of “${budget}”, "
                        "with a cost of ${cost}.", mapping=names)]
        if proposal.public_reason:
            paragraphs += [_("Message from the organizers:"), proposal.public_reason]
        paragraphs += [_("Its page:"), self.link("site.project", slug=proposal.process.slug, project_id=project.id)]
        self._send(proposal, _("Your proposal “${title}” is on the ballot", mapping=names), paragraphs)

    def _budget(self, proposal: Proposal) -> Budget | None:
        return next((b for b in proposal.process.budgets if b.id == proposal.budget_id), None)

    def proposal_rejected(self, proposal: Proposal) -> None:
        names = self._names(proposal)
        self._send(proposal, _("Your proposal “${title}” was not accepted", mapping=names), [
            _("The organizers of ${process} did not accept your proposal “${title}”. Their reason:",
              mapping=names),
            proposal.public_reason,
            _("Every proposal and the organizers' reasons are listed publicly:"),
            self.link("site.proposals", slug=proposal.process.slug),
        ])

    def voting_opened(self, proposal: Proposal) -> None:
        process = proposal.process
        names = self._names(proposal)
        paragraphs = [_("Voting is open in ${process}.", mapping=names)]
        if process.voting_end:
            paragraphs.append(_("You can vote until ${date}.", mapping={
                "date": format_date(process.voting_end, format="long", locale=proposal.locale or "en")}))
        budget = self._budget(proposal)
        if proposal.status == ProposalStatus.ACCEPTED and budget is not None:
            paragraphs.append(_("Your proposal “${title}” is on the ballot of “${budget}”.",
                                mapping=names | {"budget": budget.name}))
        paragraphs += [_("Vote with the voter code you received:"), self.link("site.vote_login", slug=process.slug)]
        self._send(proposal, _("Voting is open: ${process}", mapping=names), paragraphs)


def notifier(request) -> MailNotifier:
    """``request.notifier``: mails joined to this request's transaction.

    A script gets one the same way from ``pyramid.paster.bootstrap(ini)["request"]`` (its mails then
    join ``transaction.manager``, sent when the script commits).
    """
    return MailNotifier(get_mailer(request), request.registry,
                        request.registry.settings.get("pbengine.public_url") or request.application_url,
                        request.route_path)


def includeme(config):
    settings = config.get_settings()
    mailer = mailer_from_settings(settings)
    config.registry.registerUtility(mailer, IMailer)
    config.add_request_method(get_mailer, "mailer", reify=True)
    config.add_request_method(notifier, "notifier", reify=True)
    if delivery_of(settings) == "none":
        log.info("mail.delivery is none: no notification mail is sent")
