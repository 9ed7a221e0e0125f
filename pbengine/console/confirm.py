"""Irreversible actions ask first: one confirmation step for all of them, without JavaScript.

The action's button opens (GET) a page saying in plain words what the action will lock or end,
with a form posting the same fields plus :data:`FIELD`, and a way back. A POST to the action
without the right confirmation changes nothing: it answers 422 with the same page, saying so.
Most actions confirm with the page's button (the form carries the action's own token, so the
confirmation of one move cannot be replayed for another); the ones that erase the most
(archiving, deleting a process) make the organizer type the process's short name.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pyramid.renderers import render_to_response

from ..i18n import _
from .common import translate

FIELD = "confirm"


@dataclass
class Confirmation:
    """What to ask before an irreversible action.

    ``token``: what :data:`FIELD` must carry (the action's name, or the text to type);
    ``consequences``: what the action locks or ends, one translatable sentence each;
    ``action``/``cancel``: where the form posts and where "Cancel" goes back;
    ``fields``: hidden fields posted along (the phase, the code's reference);
    ``typed``: the organizer types ``token`` (shown as the field's hint) instead of just confirming.
    """

    token: str
    title: object
    consequences: list
    button: object
    action: str
    cancel: str
    fields: dict[str, str] = field(default_factory=dict)
    typed: bool = False


def confirmed(request, confirmation: Confirmation) -> bool:
    """The POST carries this action's confirmation."""
    return (request.POST.get(FIELD) or "").strip() == confirmation.token


def values(request, confirmation: Confirmation, process, errors=None, typed_value="") -> dict:
    """What ``console/confirm.jinja2`` (or a page including ``console/_confirm.jinja2``) shows."""
    return {"confirmation": confirmation, "process": process, "errors": errors or {}, "value": typed_value,
            "field_name": FIELD}


def page(request, confirmation: Confirmation, process, errors=None, status: int = 200):
    response = render_to_response("console/confirm.jinja2",
                                  values(request, confirmation, process, errors,
                                         request.POST.get(FIELD, "") if confirmation.typed else ""),
                                  request=request)
    response.status_int = status
    return response


def refusal(request, confirmation: Confirmation) -> dict[str, str]:
    """The errors of a POST that came without its confirmation (nothing was changed)."""
    request.tm.doom()
    if confirmation.typed:
        return {FIELD: translate(request, _(
            "Nothing was changed: type the short name of the process (${token}) to confirm.",
            mapping={"token": confirmation.token}))}
    return {"_form": translate(request, _("Nothing was changed: this action needs your confirmation. "
                                          "Read what it does below, then confirm."))}


def refused(request, confirmation: Confirmation, process):
    """The page again, with status 422, saying that nothing was changed."""
    return page(request, confirmation, process, refusal(request, confirmation), status=422)
