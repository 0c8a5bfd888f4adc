"""Pages of the finance app: an overview, and for each record a list (filters, search,
pagination), a detail page with its history, and create/edit/delete forms for those who may
write. Views only adapt requests to selectors and services."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from portal.errors import ApplicationError
from portal.permissions import Actor, Role

from .. import filters, forms, permissions, selectors, services
from ..history import history_entries
from ..models import Contract, Deal, InsurancePolicy, Payment, Pledge, ProductFiling, Subsidy
from ._shared import finance_actor

PAGE_SIZE = 20


@dataclass(frozen=True)
class Record:
    """One kind of finance record as the pages see it."""

    key: str  # URL names finance:<key>-list ..., templates finance/<key>_list.html ...
    model: type
    label: str
    list_selector: Callable
    get_selector: Callable
    filterset: type
    form: type
    create: Callable
    update: Callable
    delete: Callable
    instance_arg: str  # the keyword under which update/delete services take the record
    icon: str = "bi-journal"
    detail_extra: Callable | None = field(default=None)
    deletable: Callable | None = field(default=None)  # whether the delete service would accept it


def _form_kwargs(record: Record, actor: Actor) -> dict:
    if permissions.lender_fixed(actor, record.model):
        return {"lender_fixed": True}
    return {}


def _deal_extra(request, actor: Actor, deal: Deal) -> dict:
    payments = list(selectors.deal_payments(deal=deal))
    can_write = permissions.can_write(actor, deal)
    payment_history = (
        Payment.history.filter(deal_id=deal.pk).select_related("history_user").order_by("-history_date")[:50]
        if permissions.can_see_history(actor, deal)
        else None
    )
    return {
        "follow_ups": selectors.deal_follow_ups(deal=deal),
        "deal_contract": Contract.objects.filter(deal=deal).only("pk", "contract_no").first(),
        "payments": payments,
        "payment_history": payment_history,
        "payment_form": forms.PaymentForm() if can_write and deal.status != Deal.Status.TERMINATED else None,
        "register_form": forms.RegisterForm()
        if can_write and not deal.registration_no and deal.status == Deal.Status.SIGNED
        else None,
        "terminate_form": forms.TerminateForm()
        if can_write and deal.status != Deal.Status.TERMINATED
        else None,
    }


def _subsidy_extra(request, actor: Actor, subsidy: Subsidy) -> dict:
    return {"cap": selectors.subsidy_patent_summary(patent_id=subsidy.patent_id)}


RECORDS = {
    "deal": Record(
        key="deal",
        model=Deal,
        label=gettext_lazy("交易"),
        list_selector=selectors.deal_list,
        get_selector=selectors.deal_get,
        filterset=filters.DealFilterSet,
        form=forms.DealForm,
        create=services.deal_create,
        update=services.deal_update,
        delete=services.deal_delete,
        instance_arg="deal",
        icon="bi-arrow-left-right",
        detail_extra=_deal_extra,
        deletable=lambda deal: not deal.registration_no and not deal.payments.exists(),
    ),
    "pledge": Record(
        key="pledge",
        model=Pledge,
        label=gettext_lazy("质押融资"),
        list_selector=selectors.pledge_list,
        get_selector=selectors.pledge_get,
        filterset=filters.PledgeFilterSet,
        form=forms.PledgeForm,
        create=services.pledge_create,
        update=services.pledge_update,
        delete=services.pledge_delete,
        instance_arg="pledge",
        icon="bi-bank",
    ),
    "insurance": Record(
        key="insurance",
        model=InsurancePolicy,
        label=gettext_lazy("专利保险"),
        list_selector=selectors.insurance_policy_list,
        get_selector=selectors.insurance_policy_get,
        filterset=filters.InsurancePolicyFilterSet,
        form=forms.InsurancePolicyForm,
        create=services.insurance_policy_create,
        update=services.insurance_policy_update,
        delete=services.insurance_policy_delete,
        instance_arg="policy",
        icon="bi-shield-check",
    ),
    "subsidy": Record(
        key="subsidy",
        model=Subsidy,
        label=gettext_lazy("专利资助"),
        list_selector=selectors.subsidy_list,
        get_selector=selectors.subsidy_get,
        filterset=filters.SubsidyFilterSet,
        form=forms.SubsidyForm,
        create=services.subsidy_create,
        update=services.subsidy_update,
        delete=services.subsidy_delete,
        instance_arg="subsidy",
        icon="bi-cash-stack",
        detail_extra=_subsidy_extra,
    ),
    "filing": Record(
        key="filing",
        model=ProductFiling,
        label=gettext_lazy("产品备案"),
        list_selector=selectors.product_filing_list,
        get_selector=selectors.product_filing_get,
        filterset=filters.ProductFilingFilterSet,
        form=forms.ProductFilingForm,
        create=services.product_filing_create,
        update=services.product_filing_update,
        delete=services.product_filing_delete,
        instance_arg="filing",
        icon="bi-box-seam",
    ),
}


def _context(record: Record, actor: Actor, **extra) -> dict:
    return {
        "record": record,
        "records": RECORDS.values(),
        "can_create": permissions.can_create(actor, record.model),
        **extra,
    }


@login_required
def home(request):
    actor = finance_actor(request)
    context = {
        "overview": selectors.finance_overview(actor=actor),
        "records": RECORDS.values(),
        "can_create": {key: permissions.can_create(actor, r.model) for key, r in RECORDS.items()},
        "can_import": permissions.can_import_records(actor),
    }
    return render(request, "finance/home.html", context)


def list_view(record: Record):
    @login_required
    def view(request):
        actor = finance_actor(request)
        filterset = record.filterset(request.GET, queryset=record.list_selector(actor=actor), request=request)
        page_obj = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = _context(
            record,
            actor,
            filter=filterset,
            page_obj=page_obj,
            objects=page_obj.object_list,
            show_district=actor.role != Role.DISTRICT_OFFICER,
        )
        return render(request, f"finance/{record.key}_list.html", context)

    return view


def detail_view(record: Record):
    @login_required
    def view(request, pk: int):
        actor = finance_actor(request)
        obj = record.get_selector(actor=actor, pk=pk)
        can_edit = permissions.can_write(actor, obj)
        context = _context(
            record,
            actor,
            object=obj,
            can_edit=can_edit,
            can_delete=can_edit and (record.deletable is None or record.deletable(obj)),
            history=history_entries(obj) if permissions.can_see_history(actor, obj) else None,
        )
        if record.detail_extra:
            context.update(record.detail_extra(request, actor, obj))
        return render(request, f"finance/{record.key}_detail.html", context)

    return view


def _save(request, record: Record, actor: Actor, form, obj=None):
    """Call the service; on success redirect to the record, else put the errors on the form."""
    try:
        if obj is None:
            obj = record.create(actor=actor, **form.service_kwargs())
            messages.success(request, _("已登记%(label)s“%(obj)s”。") % {"label": record.label, "obj": obj})
        else:
            obj = record.update(actor=actor, **{record.instance_arg: obj}, **form.service_kwargs())
            messages.success(request, _("已保存%(label)s“%(obj)s”。") % {"label": record.label, "obj": obj})
    except ValidationError as error:
        form.add_service_error(error)
        return None
    except ApplicationError as error:
        form.add_error(None, error.message)
        return None
    return redirect(f"finance:{record.key}-detail", pk=obj.pk)


def create_view(record: Record):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request):
        actor = finance_actor(request)
        if not permissions.can_create(actor, record.model):
            raise PermissionDenied(_("您无权登记此类记录。"))
        form = record.form(request.POST or None, **_form_kwargs(record, actor))
        if request.method == "POST" and form.is_valid():
            response = _save(request, record, actor, form)
            if response:
                return response
        title = _("登记%(label)s") % {"label": record.label}
        return render(request, "finance/form.html", _context(record, actor, form=form, title=title))

    return view


def update_view(record: Record):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        actor = finance_actor(request)
        obj = record.get_selector(actor=actor, pk=pk)
        if not permissions.can_write(actor, obj):
            raise PermissionDenied(_("您无权修改该记录。"))
        form = record.form(request.POST or None, instance=obj, **_form_kwargs(record, actor))
        if request.method == "POST" and form.is_valid():
            response = _save(request, record, actor, form, obj=obj)
            if response:
                return response
        title = _("修改%(label)s“%(obj)s”") % {"label": record.label, "obj": obj}
        return render(
            request, "finance/form.html", _context(record, actor, form=form, title=title, object=obj)
        )

    return view


def delete_view(record: Record):
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request, pk: int):
        actor = finance_actor(request)
        obj = record.get_selector(actor=actor, pk=pk)
        if not permissions.can_write(actor, obj):
            raise PermissionDenied(_("您无权删除该记录。"))
        if request.method == "POST":
            try:
                record.delete(actor=actor, **{record.instance_arg: obj})
            except ApplicationError as error:
                messages.error(request, error.message)
                return redirect(f"finance:{record.key}-detail", pk=obj.pk)
            messages.success(request, _("已删除%(label)s“%(obj)s”。") % {"label": record.label, "obj": obj})
            return redirect(f"finance:{record.key}-list")
        return render(request, "finance/confirm_delete.html", _context(record, actor, object=obj))

    return view
