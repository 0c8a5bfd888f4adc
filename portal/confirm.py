"""Irreversible actions (freeze, withdraw, delete) ask first, with or without JavaScript.

A form of such an action carries ``data-confirm="question"``: with JavaScript the browser asks and,
once the user agrees, the form is sent with ``confirmed=1`` (static/js/behaviours.js). Without
JavaScript the view answers the first POST with a confirmation page that sends the same fields
again with ``confirmed=1``. A view calls ``confirmation_page`` after its permission checks, so
that who may not act is refused as before, never asked."""

from django.http import HttpResponse
from django.shortcuts import render

CONFIRM_FIELD = "confirmed"
_NOT_REPOSTED = {"csrfmiddlewaretoken", CONFIRM_FIELD}


def is_confirmed(request) -> bool:
    return request.POST.get(CONFIRM_FIELD) == "1"


def confirmation_page(request, *, question: str, cancel_url: str, detail: str = "") -> HttpResponse | None:
    """None when the POST is confirmed; otherwise the page asking ``question``, whose button
    sends the same form again (to the same URL) with ``confirmed=1``."""
    if is_confirmed(request):
        return None
    fields = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in _NOT_REPOSTED
        for value in values
    ]
    context = {"question": question, "detail": detail, "cancel_url": cancel_url, "fields": fields}
    return render(request, "includes/confirm.html", context)
