"""Data clean-up: the last counts of the data-quality checks, every bulk fix and merge with what
it changed (to undo it) and which KPI figures moved, and the changes to frozen annual reports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class QualityCount(models.Model):
    """The count of one data-quality check when it was last recorded (by the weekly job): a rise
    against it is e-mailed to the bureau."""

    code = models.CharField(_("检查代码"), max_length=60, unique=True)
    count = models.PositiveIntegerField(_("问题记录数"), default=0)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("数据质量检查")
        verbose_name_plural = _("数据质量检查")

    def __str__(self) -> str:
        return f"{self.code}: {self.count}"


class CleanupRun(models.Model):
    """One merge or bulk fix applied in the admin or by a command: who, what (``details`` holds
    the values before, for undoing it where the data allows), and the KPI figures it changed."""

    class Kind(models.TextChoices):
        MERGE = "merge", _("合并单位")
        WITHDRAW_NOT_IN_FORCE = "withdraw_not_in_force", _("撤回已失效专利的挂牌")
        INDUSTRY_FROM_IPC = "industry_from_ipc", _("按IPC对照补充产业")
        SET_DISTRICT = "set_district", _("补充单位旗区")
        REVERT = "revert", _("撤销清理操作")

    kind = models.CharField(_("操作"), max_length=30, choices=Kind.choices)
    summary = models.CharField(_("摘要"), max_length=500)
    details = models.JSONField(_("变更明细"), default=dict, blank=True)
    impact = models.JSONField(_("对绩效指标的影响"), default=list, blank=True)
    frozen_years = models.JSONField(_("涉及的已审定年度"), default=list, blank=True)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    performed_at = models.DateTimeField(_("操作时间"), auto_now_add=True)
    reverted_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    reverted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-performed_at", "-id"]
        verbose_name = _("数据清理记录")
        verbose_name_plural = _("数据清理记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.summary}"

    @property
    def revertible(self) -> bool:
        return (
            self.kind
            in (
                self.Kind.WITHDRAW_NOT_IN_FORCE,
                self.Kind.INDUSTRY_FROM_IPC,
                self.Kind.SET_DISTRICT,
            )
            and self.reverted_at is None
        )


class FrozenReportChange(models.Model):
    """A clean-up that changed figures of a year whose annual report is approved (frozen),
    confirmed a second time: logged on that report with the figures before and after."""

    report = models.ForeignKey(
        "reports.AnnualReport",
        verbose_name=_("年度绩效报告"),
        on_delete=models.CASCADE,
        related_name="cleanup_changes",
    )
    run = models.ForeignKey(
        CleanupRun, verbose_name=_("数据清理记录"), on_delete=models.CASCADE, related_name="frozen_changes"
    )
    changes = models.JSONField(_("变化的指标"), default=list)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("已审定报告的数据变更")
        verbose_name_plural = _("已审定报告的数据变更")

    def __str__(self) -> str:
        return f"{self.report} · {self.run}"
