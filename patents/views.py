"""Thin views for the patent pages: browse and detail (public), the institution's inventory,
the review queue, open-license declarations, supply bulletins and navigation projects."""

from __future__ import annotations

import hashlib
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from portal.confirm import confirmation_page
from portal.errors import ApplicationError
from portal.models import Industry, Organization, Region
from portal.pagination import CachedPaginator
from portal.permissions import Role, actor_for

from . import exports, ipc, permissions, selectors, services
from .filters import RELEVANCE, SORT_CHOICES, PatentFilterSet
from .forms import (
    ExportForm,
    FeeReductionForm,
    NavigationProjectForm,
    OpenLicenseForm,
    PatentForm,
    ReviewForm,
)
from .models import NavigationProject, OpenLicense, Patent
from .search import RelevancePaginator, keyword_page_query, query_terms

PAGE_SIZES = (10, 20, 50)
FLAG_FILTERS = (
    ("open_license", _lazy("开放许可")),
    ("use_first_pay_later", _lazy("先使用后付费")),
    ("sme_fee_waiver", _lazy("中小微企业费用减免")),
    ("dormant", _lazy("沉睡专利")),
)
DEFAULT_PAGE_SIZE = 20
CARDS_CACHE_SECONDS = 600  # as each card's own entry (_patent_card.html)


def _page_size(request) -> int:
    try:
        size = int(request.GET.get("per_page", DEFAULT_PAGE_SIZE))
    except ValueError:
        return DEFAULT_PAGE_SIZE
    return size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE


def _report_errors(request, exc: Exception, form=None) -> None:
    if isinstance(exc, ValidationError) and form is not None and hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return
    message = (
        exc.message if isinstance(exc, ApplicationError) else " ".join(getattr(exc, "messages", [str(exc)]))
    )
    if form is not None:
        form.add_error(None, message)
    else:
        messages.error(request, message)


# --- Browse -----------------------------------------------------------------------------------


def patent_list(request):
    actor = actor_for(request.user)
    queryset = selectors.patent_list(actor=actor, industries=False)
    # Always bound (an empty query string sorts by default); an invalid value ignores that filter.
    filterset = PatentFilterSet(request.GET, queryset=queryset, request=request)
    results = filterset.qs
    sort = filterset.sort_key
    terms = query_terms(request.GET.get("q") or "")
    keyword = bool(terms)

    def listed() -> int:
        return CachedPaginator(queryset, 1).count

    if sort == RELEVANCE and len(terms) == 1:
        paginator = RelevancePaginator(results, _page_size(request), term=terms[0], listed=listed)
    else:
        page_query = keyword_page_query(listed=listed) if keyword and sort != RELEVANCE else None
        paginator = CachedPaginator(results, _page_size(request), page_query=page_query)
    page = paginator.get_page(request.GET.get("page"))
    today = timezone.localdate()
    ipc_class = (request.GET.get("ipc_class") or "").upper()
    # What the filter sidebar shows: the filters chosen in it, and whether anything is filtered
    # (its "clear all" link). The keyword box, page, sort and page size are outside it, so every
    # keyword search without other filters shares one cached sidebar.
    filter_items = sorted(
        (key, value)
        for key, values in request.GET.lists()
        if key not in ("page", "sort", "per_page")
        for value in values
        if value
    )
    sidebar_items = [(key, value) for key, value in filter_items if key != "q"]
    context = {
        "filter": filterset,
        "page_obj": page,
        "industries": Industry.objects.all(),
        "regions": Region.objects.all(),
        "ipc_tree": ipc.section_class_tree,  # called by the template only when the sidebar is not cached
        "ipc_subclasses": ipc.subclasses_of(ipc_class) if len(ipc_class) == 3 else [],
        # Relevance is offered (and the default) only with a keyword.
        "sort_choices": [(value, label) for value, label in SORT_CHOICES if keyword or value != RELEVANCE],
        "sort": sort,
        # The default order is submitted as "no choice", so that typing a keyword on a page sorted
        # by default gives relevance, and clearing it the newest first.
        "sort_default": RELEVANCE if keyword else "newest",
        "owner_kinds": [(k.value, k.label) for k in Organization.SUPPLIER_KINDS],
        "patent_types": Patent.Type.choices,
        "legal_statuses": Patent.LegalStatus.choices,
        "deal_kinds": Patent.DealKind.choices,
        "page_sizes": PAGE_SIZES,
        "selected": request.GET,
        "sel": {key: request.GET.getlist(key) for key in request.GET},
        "flag_filters": FLAG_FILTERS,
        "trl_levels": range(1, 10),
        "filtered": bool(filter_items),
        "filter_key": f"{int(bool(filter_items))}|{urlencode(sidebar_items)}",
        "today": today,
        "cards": _patent_cards(request, list(page), today),
    }
    return render(request, "patents/patent_list.html", context)


def _patent_cards(request, patents: list[Patent], today) -> str:
    """The result cards of a page: one cache entry (one round trip) while none of its patents
    changed; on a miss each card may still come from its own entry (_patent_card.html)."""
    if not patents:
        return ""
    shown = [(p.pk, p.updated_at.isoformat(), p.owner.updated_at.isoformat()) for p in patents]
    digest = hashlib.sha256(repr((shown, today.isoformat(), get_language())).encode()).hexdigest()
    key = f"patents:cards:{digest}"
    cards = cache.get(key)
    if cards is None:
        selectors.patent_cards_related(patents)
        cards = render_to_string("patents/_patent_cards.html", {"patents": patents, "today": today}, request)
        cache.set(key, cards, CARDS_CACHE_SECONDS)
    return cards


def ipc_subclasses(request):
    """The subclass options of one IPC class (htmx partial for the browse filter)."""
    klass = (request.GET.get("ipc_class") or "").upper()[:3]
    return render(
        request,
        "patents/_ipc_subclass_select.html",
        {"ipc_subclasses": ipc.subclasses_of(klass) if len(klass) == 3 else [], "selected": request.GET},
    )


def _inquiry_url(patent: Patent) -> str | None:
    for name, kwargs in (
        ("matching:inquiry-create", {"application_no": patent.application_no}),
        ("matching:inquiry-create", {"pk": patent.pk}),
    ):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            continue
    return None


def patent_detail(request, application_no: str):
    actor = actor_for(request.user)
    patent = selectors.patent_get(actor=actor, application_no=application_no)
    can_edit = permissions.can_edit(actor, patent)
    today = timezone.localdate()
    protection_percent = None
    if patent.application_date and patent.expiry_date and patent.expiry_date > patent.application_date:
        elapsed = (today - patent.application_date).days / (patent.expiry_date - patent.application_date).days
        protection_percent = round(min(max(elapsed, 0.0), 1.0) * 100)
    context = {
        "patent": patent,
        "ipc_codes": partial(ipc.titles_for, patent.ipc_list),  # called only when not cached
        "open_license": services.open_license_standing(patent),
        "fee_reductions": selectors.patent_fee_reductions(patent=patent),
        "fee_reduction_form": FeeReductionForm() if can_edit else None,
        "can_edit": can_edit,
        "can_review": permissions.can_review(actor, patent),
        "can_publish": permissions.can_publish_directly(actor, patent),
        "protection_percent": protection_percent,
        # Double opt-in: others reach the owner through an inquiry, whose acceptance releases
        # both sides' contact details; only the owner side and bureau staff see them here.
        "show_contact_person": can_edit or actor.is_staff_role,
        "inquiry_url": _inquiry_url(patent),
        "can_inquire": actor.role in (Role.SME, Role.ANONYMOUS),
        "history": selectors.patent_history(patent=patent) if can_edit else None,
        "today": today,
    }
    return render(request, "patents/patent_detail.html", context)


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
    if not (permissions.managed_owner_ids(actor) or actor.sees_whole_city):
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
    page = Paginator(inventory, _page_size(request)).get_page(request.GET.get("page"))
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
    if not (permissions.managed_owner_ids(actor) or actor.sees_whole_city):
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
            _report_errors(request, exc, form)
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
            _report_errors(request, exc, form)
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
            _report_errors(request, exc)
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


# --- Open license -------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def open_license_declare(request, application_no: str):
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    today = timezone.localdate()
    initial = {
        "starts_on": today,
        "ends_on": min(filter(None, [patent.expiry_date, today.replace(year=today.year + 3)])),
    }
    form = OpenLicenseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.open_license_declare(patent=patent, actor=actor, **form.cleaned_data)
        except (ValidationError, ApplicationError) as exc:
            _report_errors(request, exc, form)
        else:
            messages.success(request, _("开放许可声明已生效。"))
            return redirect("patents:detail", application_no=patent.application_no)
    context = {"form": form, "patent": patent, "declarations": selectors.patent_open_licenses(patent=patent)}
    return render(request, "patents/open_license_form.html", context)


@login_required
@require_POST
def open_license_withdraw(request, application_no: str, pk: int):
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    declaration = OpenLicense.objects.filter(patent=patent, pk=pk).first()
    if declaration is None:
        raise Http404
    try:
        services.open_license_withdraw(declaration=declaration, actor=actor)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("开放许可声明已撤回。"))
    return redirect("patents:detail", application_no=patent.application_no)


@login_required
@require_POST
def fee_reduction_create(request, application_no: str, pk: int):
    """Record an annual-fee reduction for an open-license declaration (its holder's side, city staff)."""
    actor = actor_for(request.user)
    patent = selectors.patent_get_editable(actor=actor, application_no=application_no)
    declaration = OpenLicense.objects.filter(patent=patent, pk=pk).first()
    if declaration is None:
        raise Http404
    form = FeeReductionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请完整填写年度、应缴年费和缴费日期。"))
        return redirect("patents:detail", application_no=patent.application_no)
    try:
        services.annual_fee_reduction_record(declaration=declaration, actor=actor, **form.cleaned_data)
    except (ApplicationError, ValidationError) as exc:
        for text in getattr(exc, "messages", [getattr(exc, "message", str(exc))]):
            messages.error(request, text)
    else:
        messages.success(request, _("年费减免已登记。"))
    return redirect("patents:detail", application_no=patent.application_no)


# --- Supply bulletins ---------------------------------------------------------------------------


def bulletin_list(request):
    bulletins = selectors.supply_bulletin_list()
    return render(request, "patents/bulletin_list.html", {"bulletins": bulletins})


def bulletin_detail(request, year: int, month: int):
    bulletin = selectors.supply_bulletin_get(year=year, month=month)
    page = Paginator(selectors.supply_bulletin_patents(bulletin=bulletin), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "patents/bulletin_detail.html", {"bulletin": bulletin, "page_obj": page})


def bulletin_xlsx(request, year: int, month: int):
    bulletin = selectors.supply_bulletin_get(year=year, month=month)
    content = exports.bulletin_xlsx(bulletin, selectors.supply_bulletin_patents(bulletin=bulletin))
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="supply-bulletin-{bulletin.month:%Y-%m}.xlsx"'
    return response


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
            _report_errors(request, exc, form)
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
            _report_errors(request, exc, form)
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
