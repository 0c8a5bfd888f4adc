"""Matches between demands and patents, the runs that compute them, and the matchmaking
workflow around them: inquiries, notifications and roadshow / matchmaking events."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.limits import MESSAGE_MAX, TEXT_LONG, bounded_text
from portal.models import TimeStampedModel


class MatchRun(TimeStampedModel):
    """One scoring run: a full run over all open demands, one demand, or new patents."""

    class Kind(models.TextChoices):
        FULL = "full", _("全量匹配")
        DEMAND = "demand", _("单个需求")
        PATENTS = "patents", _("新增专利")

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    top_n = models.PositiveSmallIntegerField(_("每个需求保留条数"), default=20)
    corpus_version = models.CharField(_("语料版本"), max_length=64, blank=True)
    patent_ids = models.JSONField(_("限定专利"), default=list, blank=True, help_text=_("仅“新增专利”运行"))
    chunks_total = models.PositiveIntegerField(_("分块总数"), default=0)
    chunks_done = models.PositiveIntegerField(_("已完成分块"), default=0)
    demands_count = models.PositiveIntegerField(_("需求数"), default=0)
    matches_count = models.PositiveIntegerField(_("匹配数"), default=0)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("最近进展"), null=True, blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发起人"), on_delete=models.SET_NULL, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("匹配运行")
        verbose_name_plural = _("匹配运行")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.status == self.Status.DONE else 0
        return round(100 * self.chunks_done / self.chunks_total)


class MatchChunk(models.Model):
    """A slice of a run's demands that one worker scores; recorded before it is sent, so a lost
    or stuck chunk can be found and sent again."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待处理")
        DONE = "done", _("已完成")

    run = models.ForeignKey(MatchRun, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    demand_ids = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    worker = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["run", "index"]
        constraints = [models.UniqueConstraint(fields=["run", "index"], name="match_chunk_unique_index")]

    def __str__(self) -> str:
        return f"{self.run_id}/{self.index}"


class Match(models.Model):
    """A patent recommended for a demand (its calibrated relevance reached the threshold), with its
    score in [0, 1], its tier and the reasons shown to users."""

    class Tier(models.TextChoices):
        HIGH = "high", _("高度相关")
        POSSIBLE = "possible", _("可能相关")

    demand = models.ForeignKey(
        "demands.Demand", verbose_name=_("需求"), on_delete=models.CASCADE, related_name="matches"
    )
    patent = models.ForeignKey(
        "patents.Patent", verbose_name=_("专利"), on_delete=models.CASCADE, related_name="matches"
    )
    score = models.FloatField(_("匹配度"))
    rank = models.PositiveSmallIntegerField(_("排名"))
    reasons = models.JSONField(_("匹配理由"), default=list)
    tier = models.CharField(_("相关程度"), max_length=10, choices=Tier.choices, default=Tier.POSSIBLE)
    run = models.ForeignKey(
        MatchRun, verbose_name=_("来源运行"), on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    notified = models.BooleanField(_("已通知"), default=False)

    class Meta:
        ordering = ["demand", "rank"]
        verbose_name = _("匹配结果")
        verbose_name_plural = _("匹配结果")
        constraints = [
            models.UniqueConstraint(fields=["demand", "patent"], name="match_unique_demand_patent"),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=1), name="match_score_range"),
        ]
        indexes = [models.Index(fields=["patent", "-score"], name="match_patent_score_idx")]

    def __str__(self) -> str:
        return f"{self.demand_id} → {self.patent_id} ({self.score:.2f})"


class Inquiry(TimeStampedModel):
    """An SME's inquiry about a patent, answered by its owner (or the agency acting for it)."""

    class Status(models.TextChoices):
        NEW = "new", _("新咨询")
        REPLIED = "replied", _("已回复")
        NEGOTIATING = "negotiating", _("洽谈中")
        AGREED = "agreed", _("已达成")
        DECLINED = "declined", _("已谢绝")
        WITHDRAWN = "withdrawn", _("已撤回")

    # status → statuses it may move to; anything else is refused with a clear message.
    TRANSITIONS = {
        Status.NEW: (Status.REPLIED, Status.DECLINED, Status.WITHDRAWN),
        Status.REPLIED: (Status.NEGOTIATING, Status.AGREED, Status.DECLINED, Status.WITHDRAWN),
        Status.NEGOTIATING: (Status.AGREED, Status.DECLINED, Status.WITHDRAWN),
        Status.AGREED: (),
        Status.DECLINED: (),
        Status.WITHDRAWN: (),
    }

    patent = models.ForeignKey(
        "patents.Patent", verbose_name=_("专利"), on_delete=models.PROTECT, related_name="inquiries"
    )
    organization = models.ForeignKey(
        "portal.Organization",
        verbose_name=_("咨询单位"),
        on_delete=models.PROTECT,
        related_name="inquiries_sent",
    )
    demand = models.ForeignKey(
        "demands.Demand",
        verbose_name=_("相关需求"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inquiries",
    )
    match = models.ForeignKey(
        Match, verbose_name=_("来源匹配"), on_delete=models.SET_NULL, null=True, blank=True
    )
    subject = models.CharField(_("主题"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.NEW, db_index=True
    )
    contacts_released = models.BooleanField(
        _("已交换联系方式"), default=False, help_text=_("专利权人接受咨询后，双方可见彼此联系方式。")
    )
    first_replied_at = models.DateTimeField(_("首次回复时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    deal_reference = models.CharField(_("成交合同编号"), max_length=50, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("对接咨询")
        verbose_name_plural = _("对接咨询")

    def __str__(self) -> str:
        return self.subject


class InquiryMessage(models.Model):
    """One message or status change in an inquiry's thread, timestamped for the reports."""

    inquiry = models.ForeignKey(Inquiry, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organization = models.ForeignKey(
        "portal.Organization", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("内容"), blank=True, **bounded_text(MESSAGE_MAX))
    status_from = models.CharField(max_length=12, blank=True)
    status_to = models.CharField(max_length=12, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("咨询消息")
        verbose_name_plural = _("咨询消息")

    def __str__(self) -> str:
        return f"{self.inquiry_id}: {self.body[:30]}"


class Notification(models.Model):
    """An in-app notification; email copies are sent by a Celery task unless the user opted out."""

    class Kind(models.TextChoices):
        MATCH = "match", _("新匹配")
        INQUIRY = "inquiry", _("新咨询")
        REPLY = "reply", _("咨询回复")
        STATUS = "status", _("状态变化")
        EVENT = "event", _("活动")
        SYSTEM = "system", _("系统")
        DIGEST = "digest", _("订阅摘要")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # What the title and body say, as a text code and its parameters (rendered when read, in the
    # reader's language: matching.notification_texts, the notification_title/_body filters); empty on rows stored before the codes.
    text_code = models.CharField(_("文本代码"), max_length=40, blank=True, editable=False)
    text_params = models.JSONField(_("文本参数"), default=dict, blank=True, editable=False)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread_idx")]

    def __str__(self) -> str:
        return self.title


class Event(TimeStampedModel):
    """A roadshow or supply-demand matchmaking event (路演 / 供需对接活动)."""

    class Kind(models.TextChoices):
        ROADSHOW = "roadshow", _("技术路演")
        MATCHMAKING = "matchmaking", _("供需对接会")
        TRAINING = "training", _("宣传培训")
        BANK_SME = "bank_sme", _("银企对接会")

    class Status(models.TextChoices):
        # Only events that took place count towards the plan's roadshow target.
        PLANNED = "planned", _("计划中")
        HELD = "held", _("已举办")
        CANCELLED = "cancelled", _("已取消")

    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    date = models.DateField(_("举办日期"), db_index=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    venue = models.CharField(_("地点"), max_length=200)
    district = models.ForeignKey(
        "portal.Region", verbose_name=_("旗区"), on_delete=models.PROTECT, null=True, blank=True
    )
    park = models.CharField(_("产业园区"), max_length=200, blank=True)
    organizer = models.CharField(_("主办单位"), max_length=200)
    description = models.TextField(_("活动介绍"), blank=True, **bounded_text(TEXT_LONG))
    industries = models.ManyToManyField("portal.Industry", verbose_name=_("产业"), blank=True)
    patents = models.ManyToManyField(
        "patents.Patent", verbose_name=_("推介专利"), blank=True, related_name="events"
    )
    demands = models.ManyToManyField(
        "demands.Demand", verbose_name=_("对接需求"), blank=True, related_name="events"
    )
    intentions_signed = models.PositiveIntegerField(_("签约意向数"), default=0)
    outcome_notes = models.TextField(_("活动成效"), blank=True, **bounded_text(TEXT_LONG))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-date"]
        verbose_name = _("对接活动")
        verbose_name_plural = _("对接活动")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.status == self.Status.HELD and self.date and self.date > timezone.localdate():
            raise ValidationError({"status": _("活动日期在今天之后，不能标记为已举办。")})


class EventRegistration(models.Model):
    """An organization taking part in an event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="registrations")
    organization = models.ForeignKey("portal.Organization", verbose_name=_("单位"), on_delete=models.CASCADE)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    # 银企对接: an SME's consent that the banks see its pledgeable patents (issue 16, item 7).
    shares_with_banks = models.BooleanField(
        _("同意向银行展示可质押专利"),
        default=False,
        help_text=_("仅银企对接会：同意后，平台上的银行可看到本单位有效、未质押的授权专利。"),
    )
    shares_with_banks_at = models.DateTimeField(_("同意时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        constraints = [
            models.UniqueConstraint(fields=["event", "organization"], name="event_registration_unique")
        ]

    def __str__(self) -> str:
        return f"{self.event} · {self.organization}"


class Subscription(TimeStampedModel):
    """A saved patent search of an SME, or an institution's alert on new demands in its industries
    and IPC classes; new items are sent in a daily digest (in the portal and by e-mail)."""

    class Kind(models.TextChoices):
        PATENT_SEARCH = "patents", _("专利检索订阅")
        DEMANDS = "demands", _("技术需求订阅")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions")
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    # Patent searches: the patent list's query parameters (validated by its FilterSet). Demand
    # alerts: {"industries": [codes], "ipc": [prefixes]}.
    params = models.JSONField(_("条件"), default=dict, blank=True)
    active = models.BooleanField(_("有效"), default=True)
    # Items published after this moment are new; moved forward by each digest.
    checked_at = models.DateTimeField(_("上次检查"), default=timezone.now)
    last_sent_at = models.DateTimeField(_("上次发送"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("订阅")
        verbose_name_plural = _("订阅")
        indexes = [models.Index(fields=["active", "kind"], name="subscription_active_kind_idx")]

    def __str__(self) -> str:
        return self.name
