"""Technology demands of small and micro enterprises (中小微企业技术需求)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.limits import TEXT_LONG, bounded_text
from portal.models import TimeStampedModel
from portal.validators import validate_visible_text

# Human-readable codes: D2023-0042 when assigned here; surveys may bring their own (letters, digits,
# "-" and "_", at least one digit, so that a code never collides with a page such as "new").
CODE_RE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9_-]{1,29}$")
# IPC hints: a section, class, subclass or group, e.g. A01, A01B, A01B 1/00.
IPC_RE = re.compile(r"^[A-H](\d{2}([A-Z](\s?\d{1,4}(/\d{1,6})?)?)?)?$")


def split_list(value: str) -> list[str]:
    """Items of a semicolon-separated field."""
    return [item.strip() for item in (value or "").split(";") if item.strip()]


def validate_code(value: str) -> None:
    if not CODE_RE.match(value or ""):
        raise ValidationError(
            _("需求编号只能包含大写字母、数字、“-”和“_”，须含数字，长度 2–30，如 D2023-0042。"), code="code"
        )


def validate_ipc_hints(value: str) -> None:
    bad = [code for code in split_list(value) if not IPC_RE.match(code)]
    if bad:
        raise ValidationError(
            _("IPC分类号格式无效：%(codes)s（如 A01B、H01M 10/052）。"),
            code="ipc",
            params={"codes": "、".join(bad)},
        )


class DemandQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Demand.Status.OPEN)

    def visible_to(self, actor):
        """Demands the actor may see at all (summary at least); see demands.permissions."""
        from .permissions import visible_q

        condition = visible_q(actor)
        return self if condition is None else self.filter(condition)

    def editable_by(self, actor):
        """Demands the actor may edit, publish, renew or delete: their own organization's."""
        from .permissions import editable_q

        return self.filter(editable_q(actor))

    def with_detail_access(self, actor):
        """Annotate ``can_view_details``: whether the actor may see the details of each row."""
        from .permissions import details_expression

        return self.annotate(can_view_details=details_expression(actor))


class Demand(TimeStampedModel):
    """One technology need of an SME, posted online or collected by a survey (调查摸底)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        OPEN = "open", _("征集中")
        MATCHED = "matched", _("已对接")
        CLOSED = "closed", _("已关闭")
        EXPIRED = "expired", _("已过期")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("公开摘要（详情仅认证机构可见）")
        VERIFIED = "verified", _("仅认证机构可见")

    class Source(models.TextChoices):
        ONLINE = "online", _("线上发布")
        SURVEY = "survey", _("调查摸底")

    class DealKind(models.TextChoices):
        TRANSFER = "transfer", _("转让")
        LICENSE = "license", _("许可")
        EQUITY = "equity", _("作价入股")

    # Statuses the owner may still edit; expired ones are edited and then renewed.
    EDITABLE_STATUSES = (Status.DRAFT, Status.OPEN, Status.EXPIRED)
    DEAL_KIND_FIELDS = {
        DealKind.TRANSFER: "wants_transfer",
        DealKind.LICENSE: "wants_license",
        DealKind.EQUITY: "wants_equity",
    }

    code = models.CharField(
        _("需求编号"),
        max_length=30,
        validators=[validate_code],
        help_text=_("如 D2023-0042；留空由系统按年度自动编号。"),
    )
    organization = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("需求企业"),
        on_delete=models.PROTECT,
        related_name="demands",
        limit_choices_to={"kind": "sme"},
    )
    title = models.CharField(_("需求名称"), max_length=200, validators=[validate_visible_text])
    description = models.TextField(_("需求描述"), **bounded_text(TEXT_LONG))
    industry = models.ForeignKey(
        "portal.Industry",
        verbose_name=_("所属产业"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
    )
    keywords = models.CharField(_("关键词"), max_length=300, blank=True, help_text=_("以分号分隔"))
    ipc_hints = models.CharField(
        _("IPC分类提示"),
        max_length=200,
        blank=True,
        validators=[validate_ipc_hints],
        help_text=_("以分号分隔，如 A01B;H01M 10/052"),
    )
    wants_transfer = models.BooleanField(_("接受转让"), default=False)
    wants_license = models.BooleanField(_("接受许可"), default=False)
    wants_equity = models.BooleanField(_("接受作价入股"), default=False)
    budget_min = models.DecimalField(
        _("预算下限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    budget_max = models.DecimalField(
        _("预算上限（元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    district = models.ForeignKey(
        "portal.Region",
        verbose_name=_("所在旗区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demands",
    )
    deadline = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("过了这一天需求自动过期。"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    visibility = models.CharField(
        _("公开范围"), max_length=10, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.ONLINE)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("疑似重复"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="duplicates",
        help_text=_("同一企业已发布的相似需求（由系统标记）。"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="demands_created",
    )

    history = HistoricalRecords(excluded_fields=["created_at", "updated_at", "duplicate_of"])
    objects = DemandQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("技术需求")
        verbose_name_plural = _("技术需求")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="demand_code_unique"),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True) | Q(budget_min__gte=0), name="demand_budget_min_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(budget_max__isnull=True) | Q(budget_max__gte=0), name="demand_budget_max_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(budget_min__isnull=True)
                | Q(budget_max__isnull=True)
                | Q(budget_min__lte=F("budget_max")),
                name="demand_budget_min_le_max",
            ),
            models.CheckConstraint(
                condition=~Q(status="open") | Q(published_at__isnull=False),
                name="demand_open_has_published_at",
            ),
            models.CheckConstraint(condition=~Q(duplicate_of=F("pk")), name="demand_not_duplicate_of_self"),
        ]
        indexes = [
            models.Index(fields=["status", "-published_at"], name="demand_status_published_idx"),
            models.Index(fields=["status", "deadline"], name="demand_status_deadline_idx"),
            models.Index(fields=["organization", "status"], name="demand_org_status_idx"),
            models.Index(fields=["industry", "status"], name="demand_industry_status_idx"),
            models.Index(fields=["district", "status"], name="demand_district_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def clean(self):
        errors = {}
        if self.budget_min is not None and self.budget_max is not None and self.budget_min > self.budget_max:
            errors["budget_max"] = _("预算上限不能低于预算下限。")
        if not self.deal_kinds:
            errors["wants_transfer"] = _("请至少选择一种合作方式（转让、许可或作价入股）。")
        if errors:
            raise ValidationError(errors)

    @property
    def deal_kinds(self) -> list[str]:
        return [kind for kind, field in self.DEAL_KIND_FIELDS.items() if getattr(self, field)]

    @property
    def deal_kind_labels(self) -> list[str]:
        return [self.DealKind(kind).label for kind in self.deal_kinds]

    @property
    def keyword_list(self) -> list[str]:
        return split_list(self.keywords)

    @property
    def ipc_list(self) -> list[str]:
        return split_list(self.ipc_hints)

    @property
    def budget_negotiable(self) -> bool:
        return self.budget_min is None and self.budget_max is None

    @property
    def days_left(self) -> int | None:
        """Days until the deadline (0 on the deadline itself), for open demands with a deadline."""
        if self.deadline is None or self.status != self.Status.OPEN:
            return None
        return (self.deadline - timezone.localdate()).days
