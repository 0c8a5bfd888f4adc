"""Upload → preview with per-row errors → confirm → progress → history, for every import kind."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.errors import ApplicationError
from portal.exports import write_csv
from portal.permissions import actor_for

from . import selectors, services
from .forms import ImportUploadForm
from .templates import FORMATS, import_template_file, import_template_list


@login_required
def import_list(request):
    actor = actor_for(request.user)
    kinds = services.importable_kinds(actor=actor)
    if not kinds:
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_job_create(
                actor=actor,
                kind=form.cleaned_data["kind"],
                uploaded_file=form.cleaned_data["file"],
                owner_code=form.cleaned_data["owner"],
            )
        except ApplicationError as exc:
            form.add_error("file", exc.message)
        else:
            return redirect("portal:import-detail", pk=job.pk)
    page = Paginator(selectors.import_job_list(actor=actor), 20).get_page(request.GET.get("page"))
    templates = import_template_list(kinds)
    return render(request, "imports/list.html", {"form": form, "page_obj": page, "templates": templates})


@login_required
def import_detail(request, pk):
    job = selectors.import_job_get(actor=actor_for(request.user), pk=pk)
    errors = job.result.get("errors", [])
    template = "imports/_status.html" if request.headers.get("HX-Request") else "imports/detail.html"
    context = {"job": job, "errors": errors[:500], "error_count": len(errors)}
    context["activity"] = services.import_job_activity(job)
    return render(request, template, context)


@login_required
@require_POST
def import_confirm(request, pk):
    job = selectors.import_job_get(actor=actor_for(request.user), pk=pk)
    try:
        services.import_job_confirm(job=job, actor=actor_for(request.user))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("portal:import-detail", pk=job.pk)


@login_required
def import_errors(request, pk):
    """The error report as CSV (UTF-8 with BOM so Excel opens it in Chinese)."""
    job = selectors.import_job_get(actor=actor_for(request.user), pk=pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    errors = job.result.get("errors", [])
    return write_csv(
        response,
        ([error["row"], error["column"], error["message"]] for error in errors),
        header=[_("行"), _("列"), _("原因")],
    )


@login_required
def import_template(request, kind: str, file_format: str):
    """The template of one import kind the user may upload: Chinese header and an example row."""
    if file_format not in FORMATS or kind not in dict(
        services.importable_kinds(actor=actor_for(request.user))
    ):
        raise Http404
    response = HttpResponse(import_template_file(kind, file_format), content_type=FORMATS[file_format])
    response["Content-Disposition"] = f'attachment; filename="import-template-{kind}.{file_format}"'
    return response
