"""Finance records that feed the official KPIs: deals and their payments, pledge financing,
patent insurance, patent subsidies and patent product filings. Every change is kept in a history.

Rules the database can hold are named constraints here; the rest (ownership at contract date,
the 50% subsidy cap, dates against other records) live in ``finance.rules`` and are enforced by
``finance.services`` and ``finance.importers``.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from patents.models import Patent
from portal.limits import TEXT_SHORT, bounded_text
from portal.models import TimeStampedModel

MONEY = {"max_digits": 14, "decimal_places": 2}
# The plan: the subsidies of one granted invention patent may total at most 50% of its official fees.
SUBSIDY_CAP_RATIO = Decimal("0.5")


def year_range(year: int) -> tuple[datetime.date, datetime.date]:
    """[1 January, 1 January of the next year): a range that can use an index on a date column."""
    return datetime.date(year, 1, 1), datetime.date(year + 1, 1, 1)


# --- The patents of a record --------------------------------------------------------------------
# Explicit link models so that a patent named by a finance record cannot be deleted (PROTECT): the
# records feed the KPIs, and silently losing a patent from a deal would change them. Tables, field
# names and the unique pair are those Django created for the plain many-to-many fields before.


class DealPatent(models.Model):
    """A patent of a deal."""

    deal = models.ForeignKey("Deal", on_delete=models.CASCADE)
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT)

    class Meta:
        db_table = "finance_deal_patents"
        unique_together = [("deal", "patent")]

    def __str__(self) -> str:
        return f"{self.deal_id} · {self.patent_id}"


class PledgePatent(models.Model):
    """A pledged patent."""

    pledge = models.ForeignKey("Pledge", on_delete=models.CASCADE)
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT)

    class Meta:
        db_table = "finance_pledge_patents"
        unique_together = [("pledge", "patent")]

    def __str__(self) -> str:
        return f"{self.pledge_id} · {self.patent_id}"


class InsurancePolicyPatent(models.Model):
    """An insured patent."""

    insurancepolicy = models.ForeignKey("InsurancePolicy", on_delete=models.CASCADE)
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT)

    class Meta:
        db_table = "finance_insurancepolicy_patents"
        unique_together = [("insurancepolicy", "patent")]

    def __str__(self) -> str:
        return f"{self.insurancepolicy_id} · {self.patent_id}"


class ProductFilingPatent(models.Model):
    """A patent implemented by a filed product."""

    productfiling = models.ForeignKey("ProductFiling", on_delete=models.CASCADE)
    patent = models.ForeignKey(Patent, on_delete=models.PROTECT)

    class Meta:
        db_table = "finance_productfiling_patents"
        unique_together = [("productfiling", "patent")]

    def __str__(self) -> str:
        return f"{self.productfiling_id} · {self.patent_id}"


class FinanceQuerySet(models.QuerySet):
    """Scoping shared by every finance record; the rules live in ``finance.permissions``."""

    def visible_to(self, actor):
        from .permissions import visible_q

        q = visible_q(self.model, actor)
        return self if q is None else self.filter(q)

    def editable_by(self, actor):
        from .permissions import editable_q

        q = editable_q(self.model, actor)
        return self if q is None else self.filter(q)


class DealQuerySet(FinanceQuerySet):
    def registered(self):
        """Deals registered with CNIPA (including those terminated after registration)."""
        return self.exclude(registration_no="")

    def in_year(self, year: int):
        start, end = year_range(year)
        return self.filter(contract_date__gte=start, contract_date__lt=end)

    def with_received_amount(self):
        """Annotate ``received_amount`` (实际到账金额): the sum of the deal's payments, 0 if none."""
        received = (
            Payment.objects.filter(deal=models.OuterRef("pk"))
            .order_by()
            .values("deal")
            .annotate(total=models.Sum("amount"))
            .values("total")
        )
        return self.annotate(
            received_amount=Coalesce(
                models.Subquery(received, output_field=models.DecimalField(**MONEY)),
                models.Value(Decimal("0.00")),
                output_field=models.DecimalField(**MONEY),
            )
        )


class Deal(TimeStampedModel):
    """A transfer, license or equity contribution of one or more patents between two organizations."""

    Kind = Patent.DealKind
    LicenseScope = Patent.LicenseScope

    class Status(models.TextChoices):
        SIGNED = "signed", _("已签订")
        REGISTERED = "registered", _("已登记")
        TERMINATED = "terminated", _("已终止")

    # Kinds whose registration moves the patent to the buyer (作价入股 transfers the right as capital).
    OWNERSHIP_KINDS = (Kind.TRANSFER, Kind.EQUITY)
    EXCLUSIVE_SCOPES = (LicenseScope.EXCLUSIVE, LicenseScope.SOLE)

    deal_no = models.CharField(_("合同编号"), max_length=50, unique=True)
    kind = models.CharField(_("交易类型"), max_length=10, choices=Kind.choices)
    license_scope = models.CharField(
        _("许可方式"),
        max_length=10,
        choices=LicenseScope.choices,
        blank=True,
        help_text=_("仅许可交易填写。"),
    )
    patents = models.ManyToManyField(Patent, verbose_name=_("专利"), related_name="deals", through=DealPatent)
    seller = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("转让方/许可方"),
        on_delete=models.PROTECT,
        related_name="deals_sold",
    )
    buyer = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("受让方/被许可方"),
        on_delete=models.PROTECT,
        related_name="deals_bought",
    )
    contract_date = models.DateField(_("合同日期"))
    contract_amount = models.DecimalField(
        _("合同金额（元）"), **MONEY, help_text=_("仅费用全免的交易可为 0。")
    )
    license_ends_on = models.DateField(
        _("许可期限至"),
        null=True,
        blank=True,
        help_text=_("独占/排他许可在此日期前排斥其他许可；留空为专利届满。"),
    )
    registration_no = models.CharField(
        _("登记号"),
        max_length=50,
        blank=True,
        help_text=_("国家知识产权局登记（备案）号；填写即视为已登记。"),
    )
    use_first_pay_later = models.BooleanField(_("先使用后付费"), default=False)
    fee_waived = models.BooleanField(_("费用减免"), default=False)
    source_reference = models.CharField(
        _("来源对接/咨询"), max_length=100, blank=True, help_text=_("促成该交易的对接或咨询编号（可选）。")
    )
    inquiry = models.OneToOneField(
        "matching.Inquiry",
        verbose_name=_("来源咨询"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deal",
        help_text=_("促成该交易的平台对接咨询。"),
    )
    open_license = models.ForeignKey(
        "patents.OpenLicense",
        verbose_name=_("开放许可声明"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="deals",
        help_text=_("按开放许可声明公布的条件取得的许可。"),
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.SIGNED)
    terminated_on = models.DateField(_("终止日期"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=500, blank=True)
    notes = models.TextField(_("备注"), blank=True, **bounded_text(TEXT_SHORT))

    history = HistoricalRecords(m2m_fields=[patents], excluded_fields=["created_at", "updated_at"])
    objects = DealQuerySet.as_manager()

    class Meta:
        ordering = ["-contract_date", "-id"]
        verbose_name = _("交易")
        verbose_name_plural = _("交易")
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_amount__gt=0) | Q(fee_waived=True, contract_amount=0),
                name="deal_amount_positive",
                violation_error_message=_("合同金额必须大于 0（仅费用全免的交易可为 0）。"),
            ),
            models.CheckConstraint(
                condition=~Q(buyer=F("seller")),
                name="deal_buyer_not_seller",
                violation_error_message=_("受让方不能与转让方相同。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="license", license_scope__in=["exclusive", "sole", "ordinary", "open"])
                | (~Q(kind="license") & Q(license_scope="")),
                name="deal_license_scope_for_licenses",
                violation_error_message=_("许可交易须注明许可方式，其他交易不填许可方式。"),
            ),
            models.CheckConstraint(
                condition=Q(license_ends_on__isnull=True)
                | (Q(kind="license") & Q(license_ends_on__gt=F("contract_date"))),
                name="deal_license_ends_after_contract",
                violation_error_message=_("许可期限只适用于许可交易，且须晚于合同日期。"),
            ),
            models.UniqueConstraint(
                fields=["registration_no"],
                condition=~Q(registration_no=""),
                name="deal_registration_no_unique",
                violation_error_message=_("该登记号已被其他交易使用。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="registered") | ~Q(registration_no=""),
                name="deal_registered_has_number",
                violation_error_message=_("已登记的交易须有登记号。"),
            ),
            models.CheckConstraint(
                condition=(Q(status="terminated") & Q(terminated_on__gte=F("contract_date")))
                | (~Q(status="terminated") & Q(terminated_on__isnull=True)),
                name="deal_terminated_has_date",
                violation_error_message=_("已终止的交易须有不早于合同日期的终止日期。"),
            ),
        ]
        indexes = [
            models.Index(fields=["contract_date"], name="deal_contract_date_idx"),
            models.Index(fields=["buyer", "contract_date"], name="deal_buyer_date_idx"),
            models.Index(fields=["seller", "contract_date"], name="deal_seller_date_idx"),
            models.Index(fields=["kind", "contract_date"], name="deal_kind_date_idx"),
        ]

    def __str__(self) -> str:
        return self.deal_no

    @property
    def is_registered(self) -> bool:
        return bool(self.registration_no)

    @property
    def moves_ownership(self) -> bool:
        return self.kind in self.OWNERSHIP_KINDS


class PaymentQuerySet(FinanceQuerySet):
    def in_year(self, year: int):
        start, end = year_range(year)
        return self.filter(date__gte=start, date__lt=end)


class Payment(TimeStampedModel):
    """Money received on a deal; a deal's received amount (实际到账金额) is the sum of its payments."""

    deal = models.ForeignKey(Deal, verbose_name=_("交易"), on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("到账日期"))
    amount = models.DecimalField(_("到账金额（元）"), **MONEY)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("到账款项")
        verbose_name_plural = _("到账款项")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="payment_amount_positive",
                violation_error_message=_("到账金额必须大于 0。"),
            ),
            models.UniqueConstraint(
                fields=["deal", "date", "amount"],
                name="payment_unique_deal_date_amount",
                violation_error_message=_("该交易在同一日期已登记相同金额的到账款项。"),
            ),
        ]
        indexes = [models.Index(fields=["date"], name="payment_date_idx")]

    def __str__(self) -> str:
        return f"{self.deal} {self.date} ¥{self.amount}"


# Active pledges whose term ends within this many days are shown as due (workbench, list filter).
PLEDGE_DUE_DAYS = 60


def add_months(day: datetime.date, months: int) -> datetime.date:
    """``day`` moved by ``months`` (negative: back), the day clamped to the month's last."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    next_month = datetime.date(year + (month == 12), month % 12 + 1, 1)
    last = (next_month - datetime.timedelta(days=1)).day
    return datetime.date(year, month, min(day.day, last))


class PledgeQuerySet(FinanceQuerySet):
    def in_year(self, year: int):
        start, end = year_range(year)
        return self.filter(registration_date__gte=start, registration_date__lt=end)

    def due_by(self, day: datetime.date):
        """Active pledges whose term ends on or before ``day`` (overdue ones included): the loans a
        bank has to settle or release. Two queries: the terms in use, then the pledges."""
        active = self.filter(status=Pledge.Status.ACTIVE)
        terms = set(active.order_by().values_list("term_months", flat=True).distinct())
        if not terms:
            return active.none()
        condition = Q()
        for term in terms:
            condition |= Q(term_months=term, registration_date__lte=add_months(day, -term))
        return active.filter(condition)


class Pledge(TimeStampedModel):
    """Patent pledge financing (专利质押融资): a loan secured on patents, registered with CNIPA."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("质押中")
        RELEASED = "released", _("已解除")
        DEFAULTED = "defaulted", _("已违约")

    registration_no = models.CharField(_("质押登记号"), max_length=50, unique=True)
    borrower = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("出质人（借款单位）"),
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    lender = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("质权人（银行）"),
        on_delete=models.PROTECT,
        related_name="pledges_lent",
        null=True,
        blank=True,
        limit_choices_to={"kind": "bank"},
        help_text=_("平台上登记的银行；不在平台上的银行只填名称。"),
    )
    lender_name = models.CharField(_("质权人名称"), max_length=200)
    patents = models.ManyToManyField(
        Patent, verbose_name=_("质押专利"), related_name="pledges", through=PledgePatent
    )
    amount = models.DecimalField(_("融资金额（元）"), **MONEY)
    registration_date = models.DateField(_("登记日期"))
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    has_guarantee = models.BooleanField(_("有担保"), default=False)
    has_insurance = models.BooleanField(_("有保险"), default=False)
    has_risk_compensation = models.BooleanField(_("风险补偿"), default=False)
    third_party = models.BooleanField(
        _("第三方质押"),
        default=False,
        help_text=_("质押专利的权利人不是借款单位（由第三方为借款提供专利质押）。"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    notes = models.TextField(_("备注"), blank=True, **bounded_text(TEXT_SHORT))

    history = HistoricalRecords(m2m_fields=[patents], excluded_fields=["created_at", "updated_at"])
    objects = PledgeQuerySet.as_manager()

    class Meta:
        ordering = ["-registration_date", "-id"]
        verbose_name = _("专利质押融资")
        verbose_name_plural = _("专利质押融资")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="pledge_amount_positive",
                violation_error_message=_("融资金额必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(term_months__gte=1) & Q(term_months__lte=600),
                name="pledge_term_1_to_600_months",
                violation_error_message=_("期限应为 1–600 个月。"),
            ),
            models.CheckConstraint(
                condition=Q(lender__isnull=True) | ~Q(lender=F("borrower")),
                name="pledge_borrower_not_lender",
                violation_error_message=_("质权人不能是出质人本身。"),
            ),
        ]
        indexes = [
            models.Index(fields=["registration_date"], name="pledge_date_idx"),
            models.Index(fields=["borrower", "registration_date"], name="pledge_borrower_date_idx"),
        ]

    def __str__(self) -> str:
        return self.registration_no

    @property
    def matures_on(self) -> datetime.date:
        """The day the loan's term ends."""
        return add_months(self.registration_date, self.term_months)


class InsurancePolicyQuerySet(FinanceQuerySet):
    def in_year(self, year: int):
        start, end = year_range(year)
        return self.filter(start_date__gte=start, start_date__lt=end)


class InsurancePolicy(TimeStampedModel):
    """Patent insurance (专利保险) held by an organization on some of its patents."""

    policy_no = models.CharField(_("保单号"), max_length=60, unique=True)
    insured = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("被保险单位"),
        on_delete=models.PROTECT,
        related_name="insurance_policies",
    )
    insurer = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("保险机构"),
        on_delete=models.PROTECT,
        related_name="policies_underwritten",
        null=True,
        blank=True,
        limit_choices_to={"kind": "insurer"},
        help_text=_("平台上登记的保险机构；不在平台上的只填名称。"),
    )
    insurer_name = models.CharField(_("保险机构名称"), max_length=200)
    patents = models.ManyToManyField(
        Patent, verbose_name=_("投保专利"), related_name="insurance_policies", through=InsurancePolicyPatent
    )
    premium = models.DecimalField(_("保费（元）"), **MONEY)
    coverage = models.DecimalField(_("保额（元）"), **MONEY)
    start_date = models.DateField(_("起保日期"))
    premium_subsidy = models.DecimalField(_("保费补贴（元）"), **MONEY, default=Decimal("0.00"))
    notes = models.TextField(_("备注"), blank=True, **bounded_text(TEXT_SHORT))

    history = HistoricalRecords(m2m_fields=[patents], excluded_fields=["created_at", "updated_at"])
    objects = InsurancePolicyQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("专利保险")
        verbose_name_plural = _("专利保险")
        constraints = [
            models.CheckConstraint(
                condition=Q(premium__gt=0),
                name="insurance_premium_positive",
                violation_error_message=_("保费必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(coverage__gt=0),
                name="insurance_coverage_positive",
                violation_error_message=_("保额必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(premium_subsidy__gte=0) & Q(premium_subsidy__lte=F("premium")),
                name="insurance_subsidy_within_premium",
                violation_error_message=_("保费补贴不能为负数，也不能超过保费。"),
            ),
            models.CheckConstraint(
                condition=Q(insurer__isnull=True) | ~Q(insurer=F("insured")),
                name="insurance_insured_not_insurer",
                violation_error_message=_("保险机构不能是被保险单位本身。"),
            ),
        ]
        indexes = [
            models.Index(fields=["start_date"], name="insurance_start_idx"),
            models.Index(fields=["insured", "start_date"], name="insurance_insured_start_idx"),
        ]

    def __str__(self) -> str:
        return self.policy_no


class SubsidyQuerySet(FinanceQuerySet):
    def counted(self):
        """Subsidies that count towards the 50% cap and the KPIs: approved or paid."""
        return self.filter(status__in=Subsidy.COUNTED_STATUSES)

    def in_year(self, year: int):
        start, end = year_range(year)
        return self.filter(decision_date__gte=start, decision_date__lt=end)


class Subsidy(TimeStampedModel):
    """A patent subsidy (专利资助) for a granted invention patent, at most 50% of its official fees."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("已申请")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")
        PAID = "paid", _("已拨付")

    COUNTED_STATUSES = (Status.APPROVED, Status.PAID)

    organization = models.ForeignKey(
        "portal.Organization", verbose_name=_("申请单位"), on_delete=models.PROTECT, related_name="subsidies"
    )
    patent = models.ForeignKey(
        Patent, verbose_name=_("专利"), on_delete=models.PROTECT, related_name="subsidies"
    )
    official_fees = models.DecimalField(
        _("已缴官费（元）"), **MONEY, help_text=_("该专利截至申请时累计已缴纳的官方费用。")
    )
    requested_amount = models.DecimalField(_("申请金额（元）"), **MONEY)
    approved_amount = models.DecimalField(
        _("批准金额（元）"), **MONEY, null=True, blank=True, help_text=_("批准或拨付时填写。")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    decision_date = models.DateField(
        _("决定日期"), null=True, blank=True, help_text=_("批准、不予批准或拨付的日期；申请中留空。")
    )
    notes = models.TextField(
        _("备注"), blank=True, **bounded_text(TEXT_SHORT), help_text=_("如 PCT 国外授权的授权号、国别。")
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])
    objects = SubsidyQuerySet.as_manager()

    class Meta:
        ordering = ["-decision_date", "-id"]
        verbose_name = _("专利资助")
        verbose_name_plural = _("专利资助")
        constraints = [
            models.CheckConstraint(
                condition=Q(official_fees__gt=0),
                name="subsidy_fees_positive",
                violation_error_message=_("已缴官费必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(requested_amount__gt=0),
                name="subsidy_requested_positive",
                violation_error_message=_("申请金额必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(approved_amount__isnull=True)
                | (Q(approved_amount__gt=0) & Q(approved_amount__lte=F("requested_amount"))),
                name="subsidy_approved_within_requested",
                violation_error_message=_("批准金额必须大于 0 且不超过申请金额。"),
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        status__in=["approved", "paid"],
                        approved_amount__isnull=False,
                        decision_date__isnull=False,
                    )
                    | Q(status="rejected", approved_amount__isnull=True, decision_date__isnull=False)
                    | Q(status="applied", approved_amount__isnull=True, decision_date__isnull=True)
                ),
                name="subsidy_status_consistent",
                violation_error_message=_("状态与批准金额、决定日期不一致。"),
            ),
            models.UniqueConstraint(
                fields=["organization", "patent", "decision_date"],
                name="subsidy_unique_org_patent_decision",
                violation_error_message=_("该单位同一专利在同一决定日期已有资助记录。"),
            ),
            models.UniqueConstraint(
                fields=["organization", "patent"],
                condition=Q(decision_date__isnull=True),
                name="subsidy_one_pending_per_org_patent",
                violation_error_message=_("该单位同一专利已有一条申请中的资助记录。"),
            ),
        ]
        indexes = [models.Index(fields=["decision_date"], name="subsidy_decision_idx")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.patent.application_no}"


class ProductFilingQuerySet(FinanceQuerySet):
    def in_year(self, year: int):
        start, end = year_range(year)
        return self.filter(filing_date__gte=start, filing_date__lt=end)


class ProductFiling(TimeStampedModel):
    """A patent product filing (专利产品备案): a product that implements the listed patents."""

    filing_no = models.CharField(_("备案号"), max_length=60, unique=True)
    organization = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("备案单位"),
        on_delete=models.PROTECT,
        related_name="product_filings",
    )
    product_name = models.CharField(_("产品名称"), max_length=200)
    patents = models.ManyToManyField(
        Patent, verbose_name=_("涉及专利"), related_name="product_filings", through=ProductFilingPatent
    )
    filing_date = models.DateField(_("备案日期"))
    notes = models.TextField(_("备注"), blank=True, **bounded_text(TEXT_SHORT))

    history = HistoricalRecords(m2m_fields=[patents], excluded_fields=["created_at", "updated_at"])
    objects = ProductFilingQuerySet.as_manager()

    class Meta:
        ordering = ["-filing_date", "-id"]
        verbose_name = _("专利产品备案")
        verbose_name_plural = _("专利产品备案")
        indexes = [
            models.Index(fields=["filing_date"], name="filing_date_idx"),
            models.Index(fields=["organization", "filing_date"], name="filing_org_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.filing_no} {self.product_name}"


# --- Typical cases (典型案例, issue 16 item 6) -------------------------------------------------------


class TypicalCase(TimeStampedModel):
    """A completed deal the bureau publishes as a typical case (典型案例), once both parties consented."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤下")

    # Cases are written from registered deals, which cannot be deleted; a deal deleted as entered
    # by mistake takes its case along instead of failing on a protected reference.
    deal = models.OneToOneField(
        Deal, verbose_name=_("交易"), on_delete=models.CASCADE, related_name="typical_case"
    )
    title = models.CharField(_("案例标题"), max_length=200)
    summary = models.CharField(_("一句话摘要"), max_length=300, blank=True)
    story = models.TextField(_("案例故事"), **bounded_text(TEXT_SHORT))
    results = models.TextField(
        _("转化成效"),
        blank=True,
        **bounded_text(TEXT_SHORT),
        help_text=_("实施情况、产品、收入、就业等后续成效。"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("典型案例")
        verbose_name_plural = _("典型案例")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="typical_case_published_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class CaseConsent(models.Model):
    """One party's consent to the publication of a typical case (who gave it, when, how)."""

    class Party(models.TextChoices):
        SELLER = "seller", _("转让方/许可方")
        BUYER = "buyer", _("受让方/被许可方")

    case = models.ForeignKey(TypicalCase, on_delete=models.CASCADE, related_name="consents")
    party = models.CharField(_("当事方"), max_length=10, choices=Party.choices)
    organization = models.ForeignKey(
        "portal.Organization", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    evidence = models.CharField(
        _("同意方式"),
        max_length=300,
        blank=True,
        help_text=_("如“书面同意书（2024-03-01）”；单位本人在线确认时留空。"),
    )
    given_at = models.DateTimeField(_("同意时间"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        ordering = ["case", "party"]
        verbose_name = _("案例发布同意")
        verbose_name_plural = _("案例发布同意")
        constraints = [
            models.UniqueConstraint(fields=["case", "party"], name="case_consent_one_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} · {self.get_party_display()}"

    @property
    def is_standing(self) -> bool:
        return self.withdrawn_at is None


# --- From an agreed inquiry to a patent in use ------------------------------------------------------


class Contract(TimeStampedModel):
    """A contract drafted from an agreed inquiry on the national model contracts (专利权转让合同,
    专利实施许可合同); signing it records the deal."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SIGNED = "signed", _("已签订")

    class FeeMode(models.TextChoices):
        LUMP_SUM = "lump_sum", _("一次总付")
        INSTALMENTS = "instalments", _("分期支付")
        ROYALTY = "royalty", _("提成支付")
        ENTRY_FEE_ROYALTY = "entry_fee_royalty", _("入门费+提成")

    # The licence scopes a model licence contract offers (an open licence needs no contract).
    CONTRACT_SCOPES = (Deal.LicenseScope.ORDINARY, Deal.LicenseScope.EXCLUSIVE, Deal.LicenseScope.SOLE)

    inquiry = models.OneToOneField(
        "matching.Inquiry", verbose_name=_("来源咨询"), on_delete=models.PROTECT, related_name="contract"
    )
    contract_no = models.CharField(_("合同编号"), max_length=50)
    kind = models.CharField(
        _("合同类型"),
        max_length=10,
        choices=[(Deal.Kind.TRANSFER, _("专利权转让合同")), (Deal.Kind.LICENSE, _("专利实施许可合同"))],
    )
    license_scope = models.CharField(
        _("许可方式"),
        max_length=10,
        blank=True,
        choices=[(scope.value, scope.label) for scope in CONTRACT_SCOPES],
    )
    patent = models.ForeignKey(Patent, verbose_name=_("专利"), on_delete=models.PROTECT, related_name="+")
    seller = models.ForeignKey(
        "portal.Organization", verbose_name=_("转让方/许可方"), on_delete=models.PROTECT, related_name="+"
    )
    buyer = models.ForeignKey(
        "portal.Organization", verbose_name=_("受让方/被许可方"), on_delete=models.PROTECT, related_name="+"
    )
    scope_of_use = models.CharField(
        _("实施范围"), max_length=500, blank=True, help_text=_("如：制造、使用、销售专利产品。")
    )
    territory = models.CharField(_("实施地域"), max_length=200, blank=True)
    term_starts_on = models.DateField(_("许可期限起"), null=True, blank=True)
    term_ends_on = models.DateField(
        _("许可期限止"), null=True, blank=True, help_text=_("不得晚于专利保护期届满日。")
    )
    fee_mode = models.CharField(_("付费方式"), max_length=20, choices=FeeMode.choices)
    amount = models.DecimalField(
        _("合同金额（元）"), **MONEY, help_text=_("提成支付的，填写约定的最低或预计许可费总额。")
    )
    entry_fee = models.DecimalField(_("入门费（元）"), **MONEY, null=True, blank=True)
    royalty_rate = models.DecimalField(
        _("提成比例（%）"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    payment_terms = models.TextField(_("支付方式与期限"), blank=True, **bounded_text(TEXT_SHORT))
    other_terms = models.TextField(_("其他约定"), blank=True, **bounded_text(TEXT_SHORT))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    seller_confirmed_at = models.DateTimeField(_("转让方/许可方确认时间"), null=True, blank=True)
    buyer_confirmed_at = models.DateTimeField(_("受让方/被许可方确认时间"), null=True, blank=True)
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    deal = models.OneToOneField(
        Deal,
        verbose_name=_("交易"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contract",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("起草人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("技术合同")
        verbose_name_plural = _("技术合同")
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0)
                & (Q(entry_fee__isnull=True) | Q(entry_fee__gte=0))
                & (Q(royalty_rate__isnull=True) | (Q(royalty_rate__gte=0) & Q(royalty_rate__lte=100))),
                name="contract_amounts_valid",
                violation_error_message=_("金额不能为负数，提成比例应在 0–100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(kind="license", license_scope__in=["exclusive", "sole", "ordinary"])
                | (Q(kind="transfer") & Q(license_scope="")),
                name="contract_license_scope_for_licenses",
                violation_error_message=_("许可合同须注明许可方式，转让合同不填许可方式。"),
            ),
            models.CheckConstraint(
                condition=~Q(status="signed") | Q(signed_on__isnull=False),
                name="contract_signed_has_date",
                violation_error_message=_("已签订的合同须有签订日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.contract_no

    @property
    def model_title(self) -> str:
        """The national model contract this one follows."""
        if self.kind == Deal.Kind.TRANSFER:
            return str(_("专利权转让合同"))
        return str(_("专利实施许可合同"))


class FollowUp(TimeStampedModel):
    """A request to the acquiring SME, 6 or 12 months after a deal: is the patent in use, in which
    product, with what revenue and jobs. ``implemented``..``jobs`` repeat the latest answer (the
    revisions are ``FollowUpAnswer`` rows) so the effectiveness figures need no subquery."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待填报")
        ANSWERED = "answered", _("已填报")

    MONTHS = (6, 12)

    deal = models.ForeignKey(
        Deal, verbose_name=_("交易"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    months = models.PositiveSmallIntegerField(_("交易后月数"))
    due_on = models.DateField(_("回访日期"))
    organization = models.ForeignKey(
        "portal.Organization", verbose_name=_("受让企业"), on_delete=models.PROTECT, related_name="follow_ups"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    answered_at = models.DateTimeField(_("最近填报时间"), null=True, blank=True)
    implemented = models.BooleanField(_("已实施"), null=True, blank=True)
    product = models.CharField(_("实施产品"), max_length=200, blank=True)
    revenue = models.DecimalField(_("实施收入（元）"), **MONEY, null=True, blank=True)
    jobs = models.PositiveIntegerField(_("带动就业（人）"), null=True, blank=True)

    class Meta:
        ordering = ["-due_on", "-id"]
        verbose_name = _("交易后回访")
        verbose_name_plural = _("交易后回访")
        constraints = [
            models.UniqueConstraint(fields=["deal", "months"], name="follow_up_unique_deal_months"),
            models.CheckConstraint(condition=Q(months__in=[6, 12]), name="follow_up_months_6_or_12"),
            models.CheckConstraint(
                condition=Q(revenue__isnull=True) | Q(revenue__gte=0), name="follow_up_revenue_nonneg"
            ),
        ]
        indexes = [models.Index(fields=["organization", "status"], name="follow_up_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.deal} +{self.months}"


class FollowUpAnswer(models.Model):
    """One revision of the answer to a follow-up; every revision is kept, the last one counts."""

    follow_up = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="answers")
    revision = models.PositiveSmallIntegerField(_("版本"))
    implemented = models.BooleanField(_("已实施"))
    product = models.CharField(_("实施产品"), max_length=200, blank=True)
    revenue = models.DecimalField(_("实施收入（元）"), **MONEY, default=Decimal("0.00"))
    jobs = models.PositiveIntegerField(_("带动就业（人）"), default=0)
    notes = models.TextField(_("说明"), blank=True, **bounded_text(TEXT_SHORT))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        ordering = ["follow_up", "-revision"]
        verbose_name = _("回访填报")
        verbose_name_plural = _("回访填报")
        constraints = [
            models.UniqueConstraint(
                fields=["follow_up", "revision"], name="follow_up_answer_unique_revision"
            ),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="follow_up_answer_revenue_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.follow_up} v{self.revision}"
