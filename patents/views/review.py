"""The bureau's review queue of listings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import ApplicationError
from portal.permissions import actor_for

from .. import permissions, selectors, services
from ..forms import ReviewForm
from ._shared import DEFAULT_PAGE_SIZE

# --- Review -----------------------------------------------------------------------------------


@login_required
def patent_review(request):
    actor = actor_for(request.user)
    if not permissions.can_review_any(actor):
        raise PermissionDenied
    queue = selectors.patent_review_queue(actor=actor)
    page = Paginator(queue, DEFAULT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "patents/patent_review.html", {"page_obj": page, "form": ReviewForm()})


@login_required
@require_POST
def patent_review_decide(request, application_no: str):
    actor = actor_for(request.user)
    patent = selectors.patent_get(actor=actor, application_no=application_no)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结果。"))
        return redirect("patents:review")
    try:
        if form.cleaned_data["decision"] == "approve":
            services.patent_approve(patent=patent, actor=actor)
            messages.success(request, _("已通过审核并发布：%(title)s") % {"title": patent.title})
        else:
            services.patent_reject(patent=patent, actor=actor, note=form.cleaned_data["note"])
            messages.info(request, _("已退回：%(title)s") % {"title": patent.title})
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("patents:review")
