"""Patent navigation projects."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.confirm import confirmation_page
from portal.errors import report_errors
from portal.models import Industry
from portal.permissions import actor_for

from .. import permissions, selectors, services
from ..forms import NavigationProjectForm
from ..models import NavigationProject
from ._shared import DEFAULT_PAGE_SIZE

# --- Navigation projects ------------------------------------------------------------------------


def navigation_list(request):
    actor = actor_for(request.user)
    projects = selectors.navigation_project_list(filters=request.GET)
    page = Paginator(projects, DEFAULT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "kinds": NavigationProject.Kind.choices,
        "statuses": NavigationProject.Status.choices,
        "industries": Industry.objects.all(),
        "selected": request.GET,
        "can_manage": permissions.can_manage_navigation(actor),
    }
    return render(request, "patents/navigation_list.html", context)


def navigation_detail(request, pk: int):
    actor = actor_for(request.user)
    project = selectors.navigation_project_get(pk=pk)
    can_manage = permissions.can_manage_navigation(actor)
    context = {
        "project": project,
        "can_manage": can_manage,
        "can_download": bool(project.report_file) and (project.report_public or can_manage),
    }
    return render(request, "patents/navigation_detail.html", context)


def navigation_report(request, pk: int):
    actor = actor_for(request.user)
    project = selectors.navigation_project_get(pk=pk)
    if not project.report_file or not (project.report_public or permissions.can_manage_navigation(actor)):
        raise Http404
    return FileResponse(
        project.report_file.open("rb"),
        as_attachment=True,
        filename=project.report_file.name.rsplit("/", 1)[-1],
    )


def _navigation_fields(form) -> dict:
    data = dict(form.cleaned_data)
    report = data.pop("report_file", None)
    if report is False:  # "clear" ticked
        data["report_file"] = ""
    elif report:
        data["report_file"] = report
    return data


@login_required
@require_http_methods(["GET", "POST"])
def navigation_create(request):
    actor = actor_for(request.user)
    if not permissions.can_manage_navigation(actor):
        raise PermissionDenied
    form = NavigationProjectForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = services.navigation_project_create(actor=actor, **_navigation_fields(form))
        except ValidationError as exc:
            report_errors(request, exc, form)
        else:
            messages.success(request, _("已添加导航项目。"))
            return redirect("patents:navigation-detail", pk=project.pk)
    return render(request, "patents/navigation_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def navigation_edit(request, pk: int):
    actor = actor_for(request.user)
    if not permissions.can_manage_navigation(actor):
        raise PermissionDenied
    project = selectors.navigation_project_get(pk=pk)
    form = NavigationProjectForm(request.POST or None, request.FILES or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.navigation_project_update(project=project, actor=actor, **_navigation_fields(form))
        except ValidationError as exc:
            report_errors(request, exc, form)
        else:
            messages.success(request, _("已保存。"))
            return redirect("patents:navigation-detail", pk=project.pk)
    return render(request, "patents/navigation_form.html", {"form": form, "project": project})


@login_required
@require_POST
def navigation_delete(request, pk: int):
    actor = actor_for(request.user)
    if not permissions.can_manage_navigation(actor):
        raise PermissionDenied
    project = selectors.navigation_project_get(pk=pk)
    page = confirmation_page(
        request,
        question=_("确定删除该项目？"),
        detail=project.title,
        cancel_url=reverse("patents:navigation-detail", kwargs={"pk": project.pk}),
    )
    if page is not None:
        return page
    services.navigation_project_delete(project=project, actor=actor)
    messages.success(request, _("已删除导航项目。"))
    return redirect("patents:navigation-list")
