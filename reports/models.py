"""Reports: plan periods and their KPI targets, award budgets, and the generated reports (the
annual report and the plan-period summary), frozen as JSON with their XLSX and PDF renderings."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.limits import TEXT_LONG, TEXT_SHORT, bounded_text
from portal.models import TimeStampedModel

INDICATOR_CHOICES = [
    ("sme_acquisitions", _("中小微企业获得专利转化")),
    ("institution_transfers", _("高校院所专利转化")),
    ("smes_benefited", _("受益中小微企业")),
    ("sme_pledge_financing", _("中小微企业专利质押融资")),
    ("product_filings", _("专利产品备案")),
]


class CityReportQuerySet(models.QuerySet):
    def visible_to(self, actor):
        """City reports compare every district, so only city-level staff see them."""
        from .permissions import can_view_city_reports

        return self if can_view_city_reports(actor) else self.none()


# --- Plan periods ----------------------------------------------------------------------------------


class PlanPeriod(TimeStampedModel):
    """A policy plan (实施方案) whose KPI targets the reports measure: e.g. 2021-2023, base year 2020."""

    name = models.CharField(_("规划名称"), max_length=200, unique=True)
    base_year = models.PositiveSmallIntegerField(_("基期年度"))
    first_year = models.PositiveSmallIntegerField(_("起始年度"))
    last_year = models.PositiveSmallIntegerField(_("终止年度"))
    note = models.TextField(
        _("说明"), blank=True, help_text=_("如规划文件名称、文号"), **bounded_text(TEXT_SHORT)
    )

    objects = CityReportQuerySet.as_manager()

    class Meta:
        ordering = ["first_year"]
        verbose_name = _("规划期")
        verbose_name_plural = _("规划期")
        constraints = [
            models.CheckConstraint(
                condition=Q(base_year__lt=models.F("first_year")) & Q(first_year__lte=models.F("last_year")),
                name="plan_period_years_in_order",
                violation_error_message=_("应满足：基期年度 < 起始年度 ≤ 终止年度。"),
            ),
            models.CheckConstraint(
                condition=Q(base_year__gte=2000) & Q(last_year__lte=2100), name="plan_period_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.first_year}–{self.last_year}）"

    def clean(self):
        super().clean()
        if None in (self.base_year, self.first_year, self.last_year):
            return
        if not self.base_year < self.first_year <= self.last_year:
            raise ValidationError(_("应满足：基期年度 < 起始年度 ≤ 终止年度。"))
        overlapping = PlanPeriod.objects.filter(
            first_year__lte=self.last_year, last_year__gte=self.first_year
        ).exclude(pk=self.pk)
        other = overlapping.first()
        if other is not None:
            # One year is measured against one plan only: overlapping periods would make it ambiguous.
            raise ValidationError(
                _("与已有规划期“%(other)s”的年度重叠：每一年度只能属于一个规划期。") % {"other": other}
            )

    def covers(self, year: int) -> bool:
        return self.first_year <= year <= self.last_year


class PlanTarget(models.Model):
    """One KPI target of a plan period: a rule over some of the indicator's values."""

    class Rule(models.TextChoices):
        AVERAGE_GROWTH_AT_LEAST = "average_growth_at_least", _("年均增幅不低于阈值（相对基期）")
        GROWTH_AT_LEAST = "growth_at_least", _("同比增长不低于阈值")
        GROWTH_ABOVE = "growth_above", _("同比增长高于阈值")
        HIGHER = "higher", _("高于上年")

    plan = models.ForeignKey(
        PlanPeriod, verbose_name=_("规划期"), on_delete=models.CASCADE, related_name="targets"
    )
    indicator = models.CharField(_("指标"), max_length=40, choices=INDICATOR_CHOICES)
    rule = models.CharField(_("判断规则"), max_length=30, choices=Rule.choices)
    threshold = models.DecimalField(
        _("阈值"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("小数，如 0.2 表示 20%；“高于上年”不使用阈值"),
    )
    values = models.JSONField(_("考核数值项"), default=list, help_text=_("该目标考核的数值项，均须达到"))

    class Meta:
        ordering = ["plan", "id"]
        verbose_name = _("规划目标")
        verbose_name_plural = _("规划目标")
        constraints = [
            models.UniqueConstraint(fields=["plan", "indicator"], name="plan_target_one_per_indicator"),
            models.CheckConstraint(condition=Q(threshold__gte=0), name="plan_target_threshold_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.plan} · {self.get_indicator_display()}"

    def clean(self):
        super().clean()
        from .kpi import INDICATORS_BY_NAME

        indicator = INDICATORS_BY_NAME.get(self.indicator)
        if indicator is None:
            return
        values = self.values if isinstance(self.values, list) else None
        if not values or any(value not in indicator.values for value in values):
            raise ValidationError(
                {
                    "values": _("考核数值项须为该指标的数值项之一或多个：%(names)s。")
                    % {"names": "、".join(indicator.values)}
                }
            )


# --- Award budgets ---------------------------------------------------------------------------------


class AwardBudget(TimeStampedModel):
    """The performance award budget (绩效奖补资金) of one year, shared among the districts."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    amount = models.DecimalField(
        _("奖补资金总额（元）"),
        max_digits=14,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CityReportQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("绩效奖补资金")
        verbose_name_plural = _("绩效奖补资金")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="award_budget_amount_positive"),
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="award_budget_year_range"
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(year)s 年度绩效奖补资金") % {"year": self.year})


# --- Generated reports -----------------------------------------------------------------------------


class GeneratedReport(TimeStampedModel):
    """A report built by a Celery job (data, XLSX, PDF); frozen once approved."""

    class Status(models.TextChoices):
        PENDING = "pending", _("生成中")
        READY = "ready", _("待审定")
        FAILED = "failed", _("生成失败")
        APPROVED = "approved", _("已审定")

    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    data = models.JSONField(_("报告数据"), default=dict, blank=True)
    narrative = models.TextField(_("完成情况说明"), blank=True, **bounded_text(TEXT_LONG))
    generated_at = models.DateTimeField(_("生成时间"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("审定时间"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审定人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    error = models.TextField(_("错误信息"), blank=True)
    # Progress of the job that is building the report's files (0-100) and its current step, so the
    # page shows how far it is instead of claiming it is done.
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=100, blank=True)
    # An approved report's files are rendered once more from its frozen data with the approved
    # cover; until then its downloads are held back.
    files_pending = models.BooleanField(_("文件生成中"), default=False)

    objects = CityReportQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_busy(self) -> bool:
        return self.status == self.Status.PENDING or self.files_pending


class AnnualReport(GeneratedReport):
    """The city's KPI report for one year, generated by a Celery job; frozen once approved."""

    year = models.PositiveSmallIntegerField(_("年度"), unique=True)
    xlsx = models.FileField(_("Excel 文件"), upload_to="reports/annual/", blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="reports/annual/", blank=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("年度绩效报告")
        verbose_name_plural = _("年度绩效报告")
        constraints = [
            models.CheckConstraint(
                condition=Q(year__gte=2000) & Q(year__lte=2100), name="annual_report_year_range"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_at__isnull=False) & Q(generated_at__isnull=False)),
                name="annual_report_approved_is_generated",
                violation_error_message=_("只有已生成的报告才能审定。"),
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(year)s 年度绩效报告") % {"year": self.year})

    @property
    def title(self) -> str:
        return str(self)

    @property
    def file_stem(self) -> str:
        return f"annual-report-{self.year}"


class PlanPeriodReport(GeneratedReport):
    """The summary of a whole plan period (the plan's 总结 stage): every year, the average growth,
    city and districts, the activities over the period."""

    plan = models.OneToOneField(
        PlanPeriod, verbose_name=_("规划期"), on_delete=models.PROTECT, related_name="summary"
    )
    xlsx = models.FileField(_("Excel 文件"), upload_to="reports/plan/", blank=True)
    pdf = models.FileField(_("PDF 文件"), upload_to="reports/plan/", blank=True)

    class Meta:
        ordering = ["-plan__first_year"]
        verbose_name = _("规划期总结报告")
        verbose_name_plural = _("规划期总结报告")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (Q(approved_at__isnull=False) & Q(generated_at__isnull=False)),
                name="plan_report_approved_is_generated",
                violation_error_message=_("只有已生成的报告才能审定。"),
            ),
        ]

    def __str__(self) -> str:
        return str(_("%(plan)s 总结报告") % {"plan": self.plan.name})

    @property
    def title(self) -> str:
        return str(self)

    @property
    def file_stem(self) -> str:
        return f"plan-report-{self.plan.first_year}-{self.plan.last_year}"


# --- Snapshots of closed years' KPI figures -------------------------------------------------------


class KpiSnapshot(models.Model):
    """The raw KPI figures of one closed year for one scope (the city, a district, or every district
    grouped), as read in one database snapshot (``taken_in``, PostgreSQL's ``pg_snapshot``).

    Valid while no change to the records that year's figures depend on has committed outside that
    snapshot (``KpiChange``, written by database triggers), and while the counting code is the one
    that computed it (``definition``). See ``reports.kpi.snapshots``."""

    year = models.PositiveSmallIntegerField(_("年度"))
    scope = models.CharField(_("范围"), max_length=16, help_text=_("空：全市；旗区代码；*：全部旗区分组"))
    definition = models.CharField(_("口径版本"), max_length=64)
    figures = models.JSONField(_("统计数值"))
    taken_in = models.TextField(_("数据库快照"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("绩效指标年度快照")
        verbose_name_plural = _("绩效指标年度快照")
        constraints = [
            models.UniqueConstraint(fields=["year", "scope"], name="reports_kpisnapshot_year_scope_uniq")
        ]

    def __str__(self):
        return f"{self.year} {self.scope or '-'}"


class KpiChange(models.Model):
    """One statement that changed records the KPIs count, as recorded by the database triggers of
    ``reports`` migration 0006: the first year whose figures it may change (0: every year) and the
    transaction that made it (``pg_current_xact_id()``)."""

    id = models.BigAutoField(primary_key=True)
    from_year = models.IntegerField(_("起始年度"))
    transaction_id = models.BigIntegerField(_("事务号"))
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("统计记录变更")
        verbose_name_plural = _("统计记录变更")
        indexes = [models.Index(fields=["transaction_id"], name="reports_kpichange_xid_idx")]

    def __str__(self):
        return f"{self.from_year} @ {self.transaction_id}"
