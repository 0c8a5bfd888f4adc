"""Admin for finance records: search, filters and the full change history of every record.

Records are read-only here: creating and changing them goes through the finance pages (and
their services), which apply the rules and the consequences a raw admin save would skip —
ownership changes, the 50% subsidy cap — and reverting from the history is disabled for the same
reason. Deleting goes through the same services, so a deal with payments cannot be deleted.
"""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from portal.errors import ApplicationError
from portal.permissions import actor_for

from . import services
from .models import (
    CaseConsent,
    Contract,
    Deal,
    FollowUp,
    FollowUpAnswer,
    InsurancePolicy,
    Payment,
    Pledge,
    ProductFiling,
    Subsidy,
    TypicalCase,
)


class FinanceAdmin(SimpleHistoryAdmin):
    """Read-only, with history; deletion through the record's delete service."""

    delete_service = None
    instance_arg = ""
    page_url_name = ""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_actions(self, request):
        return {}  # bulk deletion would bypass the delete services

    def revert_disabled(self, request, obj=None):
        return True

    @admin.display(description=_("前台页面"))
    def page_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse(self.page_url_name, args=[obj.pk]), _("查看/修改"))

    def delete_model(self, request, obj):
        try:
            type(self).delete_service(actor=actor_for(request.user), **{self.instance_arg: obj})
        except ApplicationError as error:
            self.message_user(request, error.message, level=messages.ERROR)


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0
    fields = ["date", "amount", "note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Deal)
class DealAdmin(FinanceAdmin):
    list_display = [
        "deal_no",
        "kind",
        "license_scope",
        "seller",
        "buyer",
        "contract_date",
        "contract_amount",
        "registration_no",
        "status",
        "page_link",
    ]
    list_filter = [
        "kind",
        "license_scope",
        "status",
        "use_first_pay_later",
        "fee_waived",
        "buyer__region",
        "buyer__kind",
    ]
    search_fields = [
        "deal_no",
        "registration_no",
        "seller__name",
        "seller__credit_code",
        "buyer__name",
        "buyer__credit_code",
        "patents__application_no",
    ]
    list_select_related = ["seller", "buyer"]
    date_hierarchy = "contract_date"
    inlines = [PaymentInline]
    delete_service = services.deal_delete
    instance_arg = "deal"
    page_url_name = "finance:deal-detail"

    def has_delete_permission(self, request, obj=None):
        # Deals with payments, and registered deals, are never deleted (terminate them instead).
        if obj is not None and (obj.registration_no or obj.payments.exists()):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Payment)
class PaymentAdmin(FinanceAdmin):
    list_display = ["deal", "date", "amount", "note"]
    list_filter = ["deal__kind"]
    search_fields = ["deal__deal_no", "note"]
    list_select_related = ["deal"]
    date_hierarchy = "date"
    delete_service = services.payment_delete
    instance_arg = "payment"


@admin.register(Pledge)
class PledgeAdmin(FinanceAdmin):
    list_display = [
        "registration_no",
        "borrower",
        "lender_name",
        "amount",
        "registration_date",
        "term_months",
        "status",
        "page_link",
    ]
    list_filter = [
        "status",
        "has_guarantee",
        "has_insurance",
        "has_risk_compensation",
        "borrower__region",
        "borrower__kind",
    ]
    search_fields = [
        "registration_no",
        "borrower__name",
        "borrower__credit_code",
        "lender_name",
        "patents__application_no",
    ]
    list_select_related = ["borrower"]
    date_hierarchy = "registration_date"
    delete_service = services.pledge_delete
    instance_arg = "pledge"
    page_url_name = "finance:pledge-detail"


@admin.register(InsurancePolicy)
class InsurancePolicyAdmin(FinanceAdmin):
    list_display = [
        "policy_no",
        "insured",
        "insurer_name",
        "premium",
        "coverage",
        "premium_subsidy",
        "start_date",
        "page_link",
    ]
    list_filter = ["insured__region", "insured__kind"]
    search_fields = [
        "policy_no",
        "insured__name",
        "insured__credit_code",
        "insurer_name",
        "patents__application_no",
    ]
    list_select_related = ["insured"]
    date_hierarchy = "start_date"
    delete_service = services.insurance_policy_delete
    instance_arg = "policy"
    page_url_name = "finance:insurance-detail"


@admin.register(Subsidy)
class SubsidyAdmin(FinanceAdmin):
    list_display = [
        "organization",
        "patent",
        "official_fees",
        "requested_amount",
        "approved_amount",
        "status",
        "decision_date",
        "page_link",
    ]
    list_filter = ["status", "organization__region", "organization__kind"]
    search_fields = [
        "organization__name",
        "organization__credit_code",
        "patent__application_no",
        "patent__title",
    ]
    list_select_related = ["organization", "patent"]
    date_hierarchy = "decision_date"
    delete_service = services.subsidy_delete
    instance_arg = "subsidy"
    page_url_name = "finance:subsidy-detail"


@admin.register(ProductFiling)
class ProductFilingAdmin(FinanceAdmin):
    list_display = ["filing_no", "product_name", "organization", "filing_date", "page_link"]
    list_filter = ["organization__region", "organization__kind"]
    search_fields = [
        "filing_no",
        "product_name",
        "organization__name",
        "organization__credit_code",
        "patents__application_no",
    ]
    list_select_related = ["organization"]
    date_hierarchy = "filing_date"
    delete_service = services.product_filing_delete
    instance_arg = "filing"
    page_url_name = "finance:filing-detail"


# --- Contracts and follow-ups: read-only (the pages and their services write them) ------------------


class _ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(_ReadOnly, SimpleHistoryAdmin):
    list_display = ["contract_no", "kind", "license_scope", "seller", "buyer", "status", "signed_on", "deal"]
    list_filter = ["status", "kind"]
    search_fields = ["contract_no", "seller__name", "buyer__name", "patent__application_no"]
    list_select_related = ["seller", "buyer", "deal"]

    def revert_disabled(self, request, obj=None):
        return True


class FollowUpAnswerInline(admin.TabularInline):
    model = FollowUpAnswer
    extra = 0
    fields = ["revision", "implemented", "product", "revenue", "jobs", "answered_by", "created_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(FollowUp)
class FollowUpAdmin(_ReadOnly):
    list_display = ["deal", "months", "due_on", "organization", "status", "implemented", "revenue", "jobs"]
    list_filter = ["status", "months", "implemented"]
    search_fields = ["deal__deal_no", "organization__name", "product"]
    list_select_related = ["deal", "organization"]
    inlines = [FollowUpAnswerInline]


# --- Typical cases: read-only (published, with consents, from the bureau's pages) -----------------


class CaseConsentInline(admin.TabularInline):
    model = CaseConsent
    extra = 0
    fields = ["party", "organization", "recorded_by", "evidence", "given_at", "withdrawn_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(TypicalCase)
class TypicalCaseAdmin(_ReadOnly):
    list_display = ["title", "deal", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["title", "deal__deal_no"]
    list_select_related = ["deal"]
    inlines = [CaseConsentInline]
