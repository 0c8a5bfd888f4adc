"""Pages of the market features (issue 16): typical cases (public list and detail; the bureau
writes and publishes them, the parties give consent) and, for banks, the pledge candidates of SMEs
that opted in at a bank-enterprise event, from which a bank records a pledge."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.errors import ApplicationError, error_text
from portal.permissions import actor_for

from .. import forms, permissions, selectors, services
from ..services import cases as case_services

PAGE_SIZE = 12


# --- Typical cases --------------------------------------------------------------------------------


def case_list(request):
    """The public list of typical cases (published only); the bureau also sees its drafts."""
    actor = actor_for(request.user)
    can_manage = permissions.can_manage_cases(actor)
    cases = (
        selectors.typical_case_list(actor=actor) if can_manage else selectors.typical_case_list_published()
    )
    page_obj = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/case_list.html",
        {"page_obj": page_obj, "cases": page_obj.object_list, "can_manage": can_manage},
    )


def case_detail(request, pk: int):
    actor = actor_for(request.user)
    case = selectors.typical_case_get(actor=actor, pk=pk)
    can_manage = permissions.can_manage_cases(actor)
    own_party = permissions.case_party_of(actor, case)
    consents = {c.party: c for c in case.consents.all()}
    context = {
        "case": case,
        "can_manage": can_manage,
        "own_party": own_party,
        "own_consent": consents.get(own_party) if own_party else None,
        # Who consented, and how, is for the bureau and the parties only.
        "consents": [
            (party, label, consents.get(party)) for party, label in case.consents.model.Party.choices
        ]
        if can_manage or own_party
        else None,
        "consents_complete": case_services.typical_case_consents_complete(case),
        "consent_form": forms.CaseConsentForm() if can_manage else None,
    }
    return render(request, "finance/case_detail.html", context)


def _require_case_manager(request):
    actor = actor_for(request.user)
    if not permissions.can_manage_cases(actor):
        raise PermissionDenied(_("只有市知识产权局工作人员可以管理典型案例。"))
    return actor


@login_required
@require_http_methods(["GET", "POST"])
def case_create(request):
    actor = _require_case_manager(request)
    deals = selectors.typical_case_deals(actor=actor)
    form = forms.TypicalCaseForm(request.POST or None, deals=deals, initial={"deal": request.GET.get("deal")})
    if request.method == "POST" and form.is_valid():
        try:
            case = case_services.typical_case_create(
                actor=actor, deal=form.cleaned_data["deal"], **form.service_kwargs()
            )
        except (ApplicationError, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("典型案例草稿已保存，取得双方同意后即可发布。"))
            return redirect("finance:case-detail", pk=case.pk)
    return render(request, "finance/case_form.html", {"form": form, "title": _("新建典型案例")})


@login_required
@require_http_methods(["GET", "POST"])
def case_edit(request, pk: int):
    actor = _require_case_manager(request)
    case = selectors.typical_case_get(actor=actor, pk=pk)
    form = forms.TypicalCaseForm(request.POST or None, instance=case)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.typical_case_update(actor=actor, case=case, **form.service_kwargs())
        except (ApplicationError, ValidationError) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("典型案例已保存。"))
            return redirect("finance:case-detail", pk=case.pk)
    return render(request, "finance/case_form.html", {"form": form, "title": case.title, "case": case})


def _case_action(request, pk: int, action):
    actor = actor_for(request.user)
    case = selectors.typical_case_get(actor=actor, pk=pk)
    try:
        message = action(actor, case)
    except (ApplicationError, ValidationError, PermissionDenied) as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, message)
    return redirect("finance:case-detail", pk=case.pk)


@login_required
@require_POST
def case_consent(request, pk: int):
    """A party consents for itself; bureau staff record a party's consent with its evidence."""

    def consent(actor, case):
        party = request.POST.get("party") or permissions.case_party_of(actor, case) or ""
        evidence = request.POST.get("evidence", "")
        case_services.case_consent_record(actor=actor, case=case, party=party, evidence=evidence)
        return _("已记录同意发布。")

    return _case_action(request, pk, consent)


@login_required
@require_POST
def case_consent_withdraw(request, pk: int):
    def withdraw(actor, case):
        party = request.POST.get("party") or permissions.case_party_of(actor, case) or ""
        case_services.case_consent_withdraw(actor=actor, case=case, party=party)
        return _("已撤回同意；案例不再公开。")

    return _case_action(request, pk, withdraw)


@login_required
@require_POST
def case_publish(request, pk: int):
    def publish(actor, case):
        case_services.typical_case_publish(actor=actor, case=case)
        return _("典型案例已发布。")

    return _case_action(request, pk, publish)


@login_required
@require_POST
def case_unpublish(request, pk: int):
    def unpublish(actor, case):
        case_services.typical_case_unpublish(actor=actor, case=case)
        return _("典型案例已撤下。")

    return _case_action(request, pk, unpublish)


# --- 银企对接: pledge candidates -------------------------------------------------------------------


@login_required
def pledge_candidates(request):
    """For banks and city staff: consenting SMEs and their granted, in-force, unpledged patents."""
    actor = actor_for(request.user)
    if not permissions.can_see_pledge_candidates(actor):
        raise PermissionDenied(_("质押候选专利仅向银行和市知识产权局开放。"))
    context = {
        "groups": selectors.pledge_candidate_groups(actor=actor),
        "can_record": permissions.can_record_candidate_pledge(actor),
        "consent_days": selectors.CANDIDATE_CONSENT_DAYS,
    }
    return render(request, "finance/pledge_candidates.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pledge_candidate_create(request, pk: int):
    """A bank records a pledge of a consenting SME's candidate patents (the pledge form and
    service of the finance pages, with the borrower fixed)."""
    actor = actor_for(request.user)
    if not permissions.can_record_candidate_pledge(actor):
        raise PermissionDenied(_("只有银行可以登记质押融资。"))
    borrower = selectors.pledge_candidate_borrower(actor=actor, pk=pk)
    candidates = selectors.pledge_candidates(owner_ids=[borrower.pk])
    initial = {"patents": [p for p in request.GET.getlist("patent") if p.isdigit()]}
    form = forms.CandidatePledgeForm(
        request.POST or None, borrower=borrower, candidates=candidates, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.service_kwargs()
        data["borrower"] = borrower
        try:
            pledge = services.pledge_create(actor=actor, **data)
        except ValidationError as error:
            form.add_service_error(error)
        except (ApplicationError, PermissionDenied) as error:
            form.add_error(None, error_text(error))
        else:
            messages.success(request, _("已登记质押融资“%(no)s”。") % {"no": pledge.registration_no})
            return redirect("finance:pledge-detail", pk=pledge.pk)
    title = _("登记质押融资：%(org)s") % {"org": borrower.name}
    return render(
        request, "finance/candidate_pledge_form.html", {"form": form, "title": title, "borrower": borrower}
    )
