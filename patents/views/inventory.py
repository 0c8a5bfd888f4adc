"""An institution's (or its agency's) inventory: its patents, export, create, edit, listing actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal.confirm import confirmation_page
from portal.errors import ApplicationError, report_errors
from portal.models import Organization
from portal.permissions import actor_for

from .. import exports, permissions, selectors, services
from ..forms import ExportForm, PatentForm
from ..models import Patent
from ._shared import page_size

# --- Inventory (institutions and agencies) ------------------------------------------------------


def _inventory_owner(request, actor):
    owners = selectors.patent_inventory_owners(actor=actor)
    code = request.GET.get("owner") or request.POST.get("owner")
    if code:
        owner = owners.filter(credit_code=code).first()
        if owner is None and actor.sees_whole_city:
            owner = Organization.objects.filter(credit_code=code).first()
        if owner is None:
            raise Http404(_("单位不存在。"))
        return owner, owners
    return None, owners


@login_required
def patent_mine(request):
    actor = actor_for(request.user)
    if not permissions.can_manage_inventory(actor):
        raise PermissionDenied
    owner, owners = _inventory_owner(request, actor)
    inventory = selectors.patent_inventory(actor=actor, owner=owner)
    counts = selectors.patent_counts_by_status(queryset=inventory)
    status = request.GET.get("status")
    if status in Patent.ListingStatus.values:
        inventory = inventory.filter(listing_status=status)
    # The workbench's links: listings sent back by the reviewer, listings about to expire.
    if request.GET.get("returned") == "1":
        inventory = inventory.filter(listing_status=Patent.ListingStatus.DRAFT).exclude(review_note="")
    if request.GET.get("expiring") == "1":
        inventory = inventory.filter(selectors.patent_listings_expiring_q(timezone.localdate()))
    q = (request.GET.get("q") or "").strip()
    if q:
        from .search import keyword_filter

        inventory = keyword_filter(inventory, q)
    page = Paginator(inventory, page_size(request)).get_page(request.GET.get("page"))
    publishers = {}
    for patent in page:
        if patent.owner_id not in publishers:
            publishers[patent.owner_id] = permissions.can_publish_directly(actor, patent)
        patent.can_publish = publishers[patent.owner_id]
    try:
        import_url = reverse("portal:import-list")
    except NoReverseMatch:
        import_url = None
    context = {
        "page_obj": page,
        "owner": owner,
        "owners": owners,
        "counts": counts,
        "total": sum(counts.values()),
        "status": status,
        "statuses": Patent.ListingStatus.choices,
        "q": q,
        "import_url": import_url,
        "export_form": ExportForm(),
        "today": timezone.localdate(),
    }
    return render(request, "patents/patent_mine.html", context)


@login_required
def patent_export(request):
    actor = actor_for(request.user)
    if not permissions.can_manage_inventory(actor):
        raise PermissionDenied
    owner, _owners = _inventory_owner(request, actor)
    patents = selectors.patent_inventory(actor=actor, owner=owner)
    stamp = timezone.localdate().strftime("%Y%m%d")
    if request.GET.get("format") == "csv":
        response = HttpResponse(exports.export_csv(patents), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="patents-{stamp}.csv"'
        return response
    response = HttpResponse(
        exports.export_xlsx(patents),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="patents-{stamp}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def patent_create(request):
    actor = actor_for(request.user)
    if actor.sees_whole_city:
        owners = Organization.objects.suppliers().order_by("name")
    else:
        owners = Organization.objects.suppliers().filter(pk__in=permissions.managed_owner_ids(actor))
    if not owners.exists():
        raise PermissionDenied
    form = PatentForm(request.POST or None, owners=owners, creating=True)
    if request.method == "POST" and form.is_valid():
        try:
            patent = services.patent_create(
                actor=actor,
                owner=form.cleaned_data["owner"],
                application_no=form.cleaned_data["application_no"],
                **form.service_fields(),
            )
        except (ValidationError, ApplicationError) as exc:
            report_errors(request, exc, form)
        else:
            messages.success(request, _("已保存为草稿。提交后经审核发布。"))
            return redirect("patents:detail", application_no=patent.application_no)
    return render(request, "patents/patent_form.html", {"form": form, "creating": True})


@login_required
@require_http_methods(["GET", "POST"])
def patent_edit(request, application_no: str):
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    form = PatentForm(request.POST or None, instance=patent)
    if request.method == "POST" and form.is_valid():
        try:
            services.patent_update(patent=patent, actor=actor, **form.service_fields())
        except (ValidationError, ApplicationError) as exc:
            report_errors(request, exc, form)
        else:
            messages.success(request, _("已保存。"))
            return redirect("patents:detail", application_no=patent.application_no)
    return render(request, "patents/patent_form.html", {"form": form, "patent": patent, "creating": False})


def _next(request, patent: Patent):
    target = request.POST.get("next") or ""
    # Same host only: "/\\evil.example" or "//evil.example" would leave the site.
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("patents:detail", application_no=patent.application_no)


def _listing_action(service, success: str, *, editable: bool = True, confirm: str = ""):
    @login_required
    @require_POST
    def view(request, application_no: str):
        actor = actor_for(request.user)
        patent = selectors.patent_get(actor=actor, application_no=application_no)
        if (
            confirm
            and patent.listing_status in Patent.LIVE_LISTING_STATUSES
            and (permissions.can_edit(actor, patent) or permissions.can_review(actor, patent))
        ):
            page = confirmation_page(
                request,
                question=confirm,
                detail=patent.title,
                cancel_url=reverse("patents:detail", kwargs={"application_no": patent.application_no}),
            )
            if page is not None:
                return page
        try:
            service(patent=patent, actor=actor)
        except (ApplicationError, ValidationError) as exc:
            report_errors(request, exc)
        else:
            messages.success(request, success)
        return _next(request, patent)

    return view


patent_submit = _listing_action(services.patent_submit, _("已提交。"))
patent_publish = _listing_action(services.patent_publish, _("已发布，挂牌有效期 12 个月。"))
patent_withdraw = _listing_action(
    services.patent_withdraw,
    _("已撤回挂牌。"),
    confirm=_lazy("确定撤回该专利的挂牌吗？撤回后需重新提交审核才能再次公开。"),
)
patent_renew = _listing_action(services.patent_renew, _("已续期 12 个月。"))


@login_required
@require_POST
def patent_delete(request, application_no: str):
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    try:
        services.patent_delete(patent=patent, actor=actor)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("patents:detail", application_no=patent.application_no)
    messages.success(request, _("已删除。"))
    return redirect("patents:mine")
