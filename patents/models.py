"""Patent inventory and listings, open-license declarations, IPC titles, supply bulletins and
patent navigation projects."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.limits import TEXT_LONG, TEXT_SHORT, bounded_text
from portal.models import TimeStampedModel
from portal.validators import validate_report_document, validate_visible_text

from .identifiers import PatentType, validate_application_no, years_remaining
from .search import BigramCodesField


class IpcEntry(models.Model):
    """One IPC section, class, subclass or main group with its Chinese and English titles."""

    class Level(models.TextChoices):
        SECTION = "section", _("部")
        CLASS = "class", _("大类")
        SUBCLASS = "subclass", _("小类")
        MAIN_GROUP = "main_group", _("大组")

    code = models.CharField(_("分类号"), max_length=16, primary_key=True)
    level = models.CharField(_("层级"), max_length=12, choices=Level.choices, db_index=True)
    title_zh = models.CharField(_("中文名称"), max_length=500, blank=True)
    title_en = models.CharField(_("英文名称"), max_length=500, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("IPC分类")
        verbose_name_plural = _("IPC分类")

    def __str__(self) -> str:
        return f"{self.code} {self.title_zh}"


class PatentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(listing_status=Patent.ListingStatus.PUBLISHED)

    def visible_to(self, actor):
        """Patents the actor may see at all; see patents.permissions."""
        from .permissions import visible_q

        condition = visible_q(actor)
        return self if condition is None else self.filter(condition)

    def editable_by(self, actor):
        """Patents the actor may edit; see patents.permissions."""
        from .permissions import editable_q

        condition = editable_q(actor)
        return self if condition is None else self.filter(condition)

    def matchable(self):
        """Patents that may be offered to SMEs: listed and in force."""
        return self.filter(
            listing_status=Patent.ListingStatus.PUBLISHED,
            legal_status__in=Patent.IN_FORCE_STATUSES,
        )


class Patent(TimeStampedModel):
    """A patent or application in an owner's inventory, with its listing terms."""

    Type = PatentType

    class LegalStatus(models.TextChoices):
        PENDING = "pending", _("审中")
        GRANTED = "granted", _("有效（已授权）")
        LAPSED = "lapsed", _("失效")
        EXPIRED = "expired", _("期限届满")
        INVALIDATED = "invalidated", _("被宣告无效")

    class ListingStatus(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待审核")
        PUBLISHED = "published", _("已发布")
        EXPIRED = "expired", _("已到期")
        WITHDRAWN = "withdrawn", _("已撤回")
        TRADED = "traded", _("已成交")

    class DealKind(models.TextChoices):
        TRANSFER = "transfer", _("转让")
        LICENSE = "license", _("许可")
        EQUITY = "equity", _("作价入股")

    class LicenseScope(models.TextChoices):
        EXCLUSIVE = "exclusive", _("独占许可")
        SOLE = "sole", _("排他许可")
        ORDINARY = "ordinary", _("普通许可")
        OPEN = "open", _("开放许可")

    # Pending applications may be offered (申请权转让); lapsed, expired or invalidated ones not.
    IN_FORCE_STATUSES = (LegalStatus.PENDING, LegalStatus.GRANTED)
    DEAD_STATUSES = (LegalStatus.LAPSED, LegalStatus.EXPIRED, LegalStatus.INVALIDATED)
    # Listings that still occupy the market and are checked by the daily job.
    LIVE_LISTING_STATUSES = (ListingStatus.SUBMITTED, ListingStatus.PUBLISHED)

    application_no = models.CharField(
        _("申请号"),
        max_length=16,
        validators=[validate_application_no],
        help_text=_("如 202110123456.X；可带 CN/ZL 前缀，小数点可省略。"),
    )
    patent_type = models.CharField(_("专利类型"), max_length=16, choices=PatentType.choices, editable=False)
    title = models.CharField(_("专利名称"), max_length=300, validators=[validate_visible_text])
    abstract = models.TextField(_("摘要"), blank=True, **bounded_text(TEXT_LONG))
    claims = models.TextField(_("主权项/权利要求"), blank=True, **bounded_text(TEXT_LONG))
    ipc_main = models.CharField(_("主分类号"), max_length=24, blank=True, editable=False)
    ipc_codes = models.CharField(
        _("IPC分类号"),
        max_length=600,
        blank=True,
        help_text=_("以分号分隔，第一个为主分类号，如 H01M 10/052"),
    )
    applicants = models.CharField(
        _("申请人/专利权人"), max_length=1000, blank=True, help_text=_("以分号分隔")
    )
    inventors = models.CharField(_("发明人"), max_length=1000, blank=True, help_text=_("以分号分隔"))
    owner = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("权利人单位"),
        on_delete=models.PROTECT,
        related_name="patents",
        db_index=False,  # patent_owner_listing_idx (owner, listing_status) serves owner look-ups
    )
    application_date = models.DateField(_("申请日"), null=True, blank=True)
    grant_date = models.DateField(_("授权公告日"), null=True, blank=True)
    publication_no = models.CharField(_("公开（公告）号"), max_length=30, blank=True)
    legal_status = models.CharField(
        _("法律状态"), max_length=12, choices=LegalStatus.choices, default=LegalStatus.PENDING
    )
    expiry_date = models.DateField(_("保护期届满日"), null=True, blank=True, editable=False)
    industries = models.ManyToManyField(
        "portal.Industry", verbose_name=_("所属产业"), blank=True, related_name="patents"
    )
    keywords = models.CharField(_("关键词"), max_length=500, blank=True, help_text=_("以分号分隔"))
    trl = models.PositiveSmallIntegerField(_("技术成熟度（TRL）"), null=True, blank=True)
    implemented = models.BooleanField(_("已实施"), default=False)
    transfer_count = models.PositiveIntegerField(_("转让次数"), default=0)
    license_count = models.PositiveIntegerField(_("许可次数"), default=0)
    last_transferred_on = models.DateField(_("最近转让日期"), null=True, blank=True)
    last_licensed_on = models.DateField(_("最近许可日期"), null=True, blank=True)
    exclusive_license_until = models.DateField(
        _("独占/排他许可有效期至"), null=True, blank=True, help_text=_("由交易登记写入。")
    )
    dormant = models.BooleanField(
        _("沉睡专利"), default=False, editable=False, help_text=_("已授权、有效、未实施、从未转让或许可。")
    )

    # Listing terms.
    offers_transfer = models.BooleanField(_("可转让"), default=False)
    offers_license = models.BooleanField(_("可许可"), default=False)
    offers_equity = models.BooleanField(_("可作价入股"), default=False)
    license_scope = models.CharField(_("许可方式"), max_length=10, choices=LicenseScope.choices, blank=True)
    open_license = models.BooleanField(_("开放许可"), default=False)
    use_first_pay_later = models.BooleanField(_("先使用后付费"), default=False)
    sme_fee_waiver = models.BooleanField(_("中小微企业费用减免"), default=False)
    asking_price = models.DecimalField(
        _("挂牌价格（元）"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("留空表示面议。"),
    )
    listing_status = models.CharField(
        _("挂牌状态"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True, editable=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    listed_until = models.DateField(_("挂牌有效期至"), null=True, blank=True, editable=False)
    renewal_reminded_at = models.DateTimeField(_("续期提醒时间"), null=True, blank=True, editable=False)
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)

    # Denormalised for keyword search (see patents/search.py); maintained by the services.
    search_text = models.TextField(editable=False, blank=True, default="")
    search_latin = models.TextField(editable=False, blank=True, default="")
    search_bigram_codes = BigramCodesField(editable=False, blank=True)
    search_head = models.TextField(editable=False, blank=True, default="")
    search_tail = models.TextField(editable=False, blank=True, default="")
    search_body_end = models.PositiveIntegerField(editable=False, default=0)

    history = HistoricalRecords(
        excluded_fields=[
            "search_text",
            "search_latin",
            "search_bigram_codes",
            "search_head",
            "search_tail",
            "search_body_end",
            "created_at",
            "updated_at",
        ]
    )
    objects = PatentQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("专利")
        verbose_name_plural = _("专利")
        constraints = [
            models.UniqueConstraint(fields=["application_no"], name="patent_application_no_unique"),
            models.CheckConstraint(
                condition=Q(trl__isnull=True) | (Q(trl__gte=1) & Q(trl__lte=9)), name="patent_trl_1_to_9"
            ),
            models.CheckConstraint(
                condition=Q(asking_price__isnull=True) | Q(asking_price__gte=0), name="patent_price_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(grant_date__isnull=True)
                | Q(application_date__isnull=True)
                | Q(grant_date__gte=models.F("application_date")),
                name="patent_granted_after_filing",
            ),
            models.CheckConstraint(
                condition=~Q(listing_status="published")
                | (Q(published_at__isnull=False) & Q(listed_until__isnull=False)),
                name="patent_published_has_dates",
            ),
        ]
        # On PostgreSQL the browse page's orderings are served by partial indexes on published
        # listings that match each ORDER BY exactly (NULLS LAST, id tiebreak), which SQLite cannot
        # express: see migration 0007.
        indexes = [
            models.Index(fields=["owner", "listing_status"], name="patent_owner_listing_idx"),
            models.Index(fields=["legal_status", "listing_status"], name="patent_legal_listing_idx"),
            models.Index(fields=["dormant", "listing_status"], name="patent_dormant_listing_idx"),
            models.Index(fields=["listed_until"], name="patent_listed_until_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.application_no} {self.title}"

    @property
    def deal_kinds(self) -> list[str]:
        kinds = []
        if self.offers_transfer:
            kinds.append(self.DealKind.TRANSFER)
        if self.offers_license:
            kinds.append(self.DealKind.LICENSE)
        if self.offers_equity:
            kinds.append(self.DealKind.EQUITY)
        return kinds

    @property
    def deal_kind_labels(self) -> list[str]:
        return [self.DealKind(kind).label for kind in self.deal_kinds]

    @property
    def ipc_list(self) -> list[str]:
        return [code.strip() for code in self.ipc_codes.split(";") if code.strip()]

    @property
    def applicant_list(self) -> list[str]:
        return [name.strip() for name in self.applicants.split(";") if name.strip()]

    @property
    def keyword_list(self) -> list[str]:
        return [word.strip() for word in self.keywords.split(";") if word.strip()]

    @property
    def price_negotiable(self) -> bool:
        return self.asking_price is None

    @property
    def in_force(self) -> bool:
        return self.legal_status in self.IN_FORCE_STATUSES and not (
            self.expiry_date and self.expiry_date < timezone.localdate()
        )

    @property
    def years_remaining(self) -> float | None:
        """Years of protection left (granted or pending), 0 once no longer in force."""
        if self.legal_status in self.DEAD_STATUSES:
            return 0.0
        return years_remaining(self.expiry_date, timezone.localdate())


class PatentIpc(models.Model):
    """One IPC code of a patent, split into its levels so filters by any level are cheap."""

    patent = models.ForeignKey(
        Patent,
        verbose_name=_("专利"),
        on_delete=models.CASCADE,
        related_name="ipc_entries",
        db_index=False,  # patent_ipc_unique_code (patent, code) serves look-ups by patent
    )
    code = models.CharField(_("分类号"), max_length=24)
    section = models.CharField(_("部"), max_length=1)
    klass = models.CharField(_("大类"), max_length=3)
    subclass = models.CharField(_("小类"), max_length=4)
    main_group = models.CharField(_("大组"), max_length=16)
    is_main = models.BooleanField(_("主分类"), default=False)

    class Meta:
        ordering = ["patent", "-is_main", "id"]
        verbose_name = _("专利IPC分类")
        verbose_name_plural = _("专利IPC分类")
        constraints = [models.UniqueConstraint(fields=["patent", "code"], name="patent_ipc_unique_code")]
        indexes = [
            models.Index(fields=["section", "patent"], name="patent_ipc_section_idx"),
            models.Index(fields=["klass", "patent"], name="patent_ipc_class_idx"),
            models.Index(fields=["subclass", "patent"], name="patent_ipc_subclass_idx"),
            models.Index(fields=["main_group", "patent"], name="patent_ipc_group_idx"),
            models.Index(fields=["code", "patent"], name="patent_ipc_code_idx"),
        ]

    def __str__(self) -> str:
        return self.code


class OpenLicense(TimeStampedModel):
    """An open-license declaration (专利开放许可声明): anyone may take a license on these terms."""

    class FeeMode(models.TextChoices):
        LUMP_SUM = "lump_sum", _("一次性支付")
        ROYALTY = "royalty", _("提成支付")
        ENTRY_FEE_ROYALTY = "entry_fee_royalty", _("入门费+提成")

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        WITHDRAWN = "withdrawn", _("已撤回")
        ENDED = "ended", _("已到期")

    patent = models.ForeignKey(
        Patent, verbose_name=_("专利"), on_delete=models.CASCADE, related_name="open_licenses"
    )
    fee_mode = models.CharField(_("付费方式"), max_length=20, choices=FeeMode.choices)
    lump_sum = models.DecimalField(
        _("一次性许可费（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    entry_fee = models.DecimalField(_("入门费（元）"), max_digits=14, decimal_places=2, null=True, blank=True)
    royalty_rate = models.DecimalField(
        _("提成比例（%）"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("占销售额或利润的百分比"),
    )
    fee_standard = models.TextField(
        _("许可使用费支付标准"), blank=True, **bounded_text(TEXT_SHORT), help_text=_("提成基数、支付周期等")
    )
    starts_on = models.DateField(_("许可期限起"))
    ends_on = models.DateField(_("许可期限止"))
    co_owners_consent = models.BooleanField(_("全体共有人同意"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("声明人"), on_delete=models.SET_NULL, null=True, blank=True
    )
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("开放许可声明")
        verbose_name_plural = _("开放许可声明")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="open_license_ends_after_start"
            ),
            models.UniqueConstraint(
                fields=["patent"], condition=Q(status="active"), name="open_license_one_active_per_patent"
            ),
            models.CheckConstraint(
                condition=(Q(lump_sum__isnull=True) | Q(lump_sum__gte=0))
                & (Q(entry_fee__isnull=True) | Q(entry_fee__gte=0)),
                name="open_license_fees_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(royalty_rate__isnull=True) | (Q(royalty_rate__gte=0) & Q(royalty_rate__lte=100)),
                name="open_license_royalty_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patent.application_no} {self.get_fee_mode_display()}"

    def stands_on(self, day: datetime.date) -> bool:
        return self.status == self.Status.ACTIVE and self.starts_on <= day <= self.ends_on


class AnnualFeeReduction(TimeStampedModel):
    """An annual-fee reduction (年费减免) granted for a patent while its open-license declaration
    stands (专利法实施细则: 开放许可实施期间年费减免), tracked per fee year."""

    # The reduction of the annual fee while an open license is in effect.
    DEFAULT_RATE = Decimal("0.15")

    open_license = models.ForeignKey(
        OpenLicense, verbose_name=_("开放许可声明"), on_delete=models.PROTECT, related_name="fee_reductions"
    )
    fee_year = models.PositiveSmallIntegerField(
        _("年度（第几年）"), help_text=_("专利年费的缴费年度，如第 6 年。")
    )
    annual_fee = models.DecimalField(_("应缴年费（元）"), max_digits=14, decimal_places=2)
    reduction = models.DecimalField(_("减免金额（元）"), max_digits=14, decimal_places=2)
    paid_on = models.DateField(_("缴费日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["open_license", "fee_year"]
        verbose_name = _("开放许可年费减免")
        verbose_name_plural = _("开放许可年费减免")
        constraints = [
            models.UniqueConstraint(fields=["open_license", "fee_year"], name="fee_reduction_unique_year"),
            models.CheckConstraint(
                condition=Q(annual_fee__gt=0) & Q(reduction__gt=0) & Q(reduction__lte=models.F("annual_fee")),
                name="fee_reduction_within_fee",
                violation_error_message=_("减免金额须大于 0 且不超过应缴年费。"),
            ),
            models.CheckConstraint(
                condition=Q(fee_year__gte=1) & Q(fee_year__lte=20), name="fee_reduction_year_1_to_20"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.open_license.patent.application_no} #{self.fee_year}"


class SupplyBulletin(TimeStampedModel):
    """The monthly supply bulletin (集中定期发布): the patents newly listed in one month."""

    month = models.DateField(_("月份"), help_text=_("该月第一天"))
    title = models.CharField(_("标题"), max_length=200)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    patents = models.ManyToManyField(Patent, verbose_name=_("专利"), related_name="bulletins", blank=True)
    patent_count = models.PositiveIntegerField(_("专利数"), default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("供给信息公告")
        verbose_name_plural = _("供给信息公告")
        constraints = [
            models.UniqueConstraint(fields=["month"], name="supply_bulletin_unique_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="supply_bulletin_first_of_month"),
        ]

    def __str__(self) -> str:
        return self.title


class NavigationProject(TimeStampedModel):
    """A patent navigation project (专利导航项目) run under GB/T 39551."""

    class Kind(models.TextChoices):
        # GB/T 39551.2-.6 (专利导航指南): the five kinds of navigation.
        REGIONAL_PLANNING = "regional_planning", _("区域规划类")
        INDUSTRY_PLANNING = "industry_planning", _("产业规划类")
        ENTERPRISE_OPERATION = "enterprise_operation", _("企业经营类")
        RD = "rd", _("研发活动类")
        TALENT = "talent", _("人才管理类")

    class Status(models.TextChoices):
        PLANNED = "planned", _("已立项")
        IN_PROGRESS = "in_progress", _("实施中")
        COMPLETED = "completed", _("已验收")
        SUSPENDED = "suspended", _("已终止")

    title = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("导航类型"), max_length=24, choices=Kind.choices)
    industry = models.ForeignKey(
        "portal.Industry",
        verbose_name=_("产业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="navigation_projects",
    )
    enterprise = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("承担/服务企业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="navigation_projects",
    )
    region = models.ForeignKey(
        "portal.Region", verbose_name=_("旗区"), on_delete=models.PROTECT, null=True, blank=True
    )
    year_started = models.PositiveSmallIntegerField(_("启动年份"))
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    summary = models.TextField(_("项目简介"), blank=True, **bounded_text(TEXT_LONG))
    report_file = models.FileField(
        _("导航报告"), upload_to="navigation/%Y/", blank=True, validators=[validate_report_document]
    )
    report_public = models.BooleanField(_("报告公开"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-year_started", "title"]
        verbose_name = _("专利导航项目")
        verbose_name_plural = _("专利导航项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(year_started__gte=2000) & Q(year_started__lte=2100), name="navigation_year_range"
            ),
        ]
        indexes = [models.Index(fields=["kind", "status"], name="navigation_kind_status_idx")]

    def __str__(self) -> str:
        return self.title
