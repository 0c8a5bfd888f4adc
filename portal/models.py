"""The shared domain: regions, industries, organizations, their yearly figures and memberships."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from .identifiers import validate_credit_code
from .limits import TEXT_SHORT, bounded_text
from .validators import validate_visible_text


class TimeStampedModel(models.Model):
    """Abstract base with creation and update timestamps."""

    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        abstract = True


class LocalizedNameMixin:
    """Reference data named in Chinese and English: ``label`` (and ``str()``) is the English name
    when the user reads the portal in English and one is recorded, else the Chinese name."""

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("en") and self.name_en:
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return self.label


class Region(LocalizedNameMixin, models.Model):
    """A county-level district or banner (旗区) of the city, by its GB/T 2260 code."""

    code = models.CharField(_("区划代码"), max_length=6, primary_key=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    is_county_level = models.BooleanField(
        _("县域（旗）"), default=True, help_text=_("农牧业专利优先引导向县域（旗）转移转化。")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("旗区")
        verbose_name_plural = _("旗区")


class Industry(LocalizedNameMixin, models.Model):
    """An industry the plan names (高端装备制造, 煤炭, 羊绒, ...)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(_("英文名称"), max_length=80, blank=True)
    is_agricultural = models.BooleanField(_("涉农"), default=False)
    ipc_prefixes = models.CharField(
        _("相关IPC前缀"), max_length=200, blank=True, help_text=_("以分号分隔，如 A01;A23C")
    )
    keywords = models.CharField(_("关键词"), max_length=500, blank=True, help_text=_("以分号分隔"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("产业")
        verbose_name_plural = _("产业")


class OrganizationQuerySet(models.QuerySet):
    def in_city(self):
        return self.filter(region__isnull=False)

    def smes(self):
        return self.filter(kind=Organization.Kind.SME)

    def suppliers(self):
        return self.filter(kind__in=Organization.SUPPLIER_KINDS)


class Organization(TimeStampedModel):
    """A legal entity taking part: university, institute, enterprise, agency, bank, bureau..."""

    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("高校")
        INSTITUTE = "institute", _("科研院所")
        SOE = "soe", _("国有企业")
        SME = "sme", _("中小微企业")
        LARGE_ENTERPRISE = "large_enterprise", _("大型企业")
        AGENCY = "agency", _("知识产权服务机构")
        BANK = "bank", _("银行")
        INSURER = "insurer", _("保险机构")
        GOVERNMENT = "government", _("政府部门")

    # Kinds whose patents are inventoried and offered (高校院所、国有企业及其他权利人).
    SUPPLIER_KINDS = (Kind.UNIVERSITY, Kind.INSTITUTE, Kind.SOE, Kind.LARGE_ENTERPRISE)

    credit_code = models.CharField(
        _("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField(_("名称"), max_length=200, validators=[validate_visible_text])
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, db_index=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在旗区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
        help_text=_("市外单位留空。"),
    )
    industries = models.ManyToManyField(Industry, verbose_name=_("所属产业"), blank=True)
    verified = models.BooleanField(_("已认证"), default=False, db_index=True)
    verified_at = models.DateTimeField(_("认证时间"), null=True, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    website = models.URLField(_("网站"), blank=True)
    description = models.TextField(_("简介"), blank=True, **bounded_text(TEXT_SHORT))
    agencies = models.ManyToManyField(
        "self",
        verbose_name=_("委托服务机构"),
        symmetrical=False,
        blank=True,
        related_name="clients",
        limit_choices_to={"kind": "agency"},
        help_text=_("代表本单位办理专利登记、挂牌和对接的知识产权服务机构。"),
    )
    public_contact = models.CharField(
        _("公开联系渠道"),
        max_length=200,
        blank=True,
        help_text=_("向公众展示的联系方式（如技术转移办公室电话），不要填写个人信息。"),
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        indexes = [models.Index(fields=["kind", "region"], name="org_kind_region_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_supplier(self) -> bool:
        return self.kind in self.SUPPLIER_KINDS

    @property
    def in_city(self) -> bool:
        return self.region_id is not None


class OrganizationPeriod(models.Model):
    """An organization's kind and district over a span of dates: from ``valid_from`` (None: from
    the start) up to the day before ``valid_to`` (None: still current). The KPIs count every
    record with the kind and district its organizations had on the record's date, so that
    reclassifying an organization today does not move the figures of a year already reported.

    The periods of one organization do not overlap and leave no gap; the open one holds the
    organization's current ``kind`` and ``region``. They are written only by ``portal.periods``."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=Organization.Kind.choices)
    region = models.ForeignKey(
        Region,
        verbose_name=_("所在旗区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("市外单位留空。"),
    )
    valid_from = models.DateField(_("起始日期"), null=True, blank=True, help_text=_("留空表示自始。"))
    valid_to = models.DateField(
        _("截止日期（不含）"), null=True, blank=True, help_text=_("留空表示至今有效。")
    )

    class Meta:
        ordering = ["organization", models.F("valid_from").asc(nulls_first=True)]
        verbose_name = _("单位类型与旗区期间")
        verbose_name_plural = _("单位类型与旗区期间")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_to__isnull=True)
                | Q(valid_from__lt=models.F("valid_to")),
                name="org_period_from_before_to",
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(valid_to__isnull=True), name="org_period_one_current"
            ),
            models.UniqueConstraint(
                fields=["organization"], condition=Q(valid_from__isnull=True), name="org_period_one_first"
            ),
            models.UniqueConstraint(fields=["organization", "valid_from"], name="org_period_unique_start"),
        ]

    def __str__(self) -> str:
        start = self.valid_from.isoformat() if self.valid_from else _("自始")
        end = self.valid_to.isoformat() if self.valid_to else _("至今")
        return f"{self.organization_id} {start}–{end} {self.kind} {self.region_id or '-'}"


class OrganizationChange(models.Model):
    """The audit trail of an organization's kind and district: one entry per change or correction,
    with who made it, when, from which date it applies and why."""

    class Action(models.TextChoices):
        CHANGE = "change", _("变更")
        CORRECTION = "correction", _("更正（自始适用）")

    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="changes"
    )
    action = models.CharField(_("操作"), max_length=12, choices=Action.choices)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True, help_text=_("留空表示自始。"))
    kind_before = models.CharField(_("原类型"), max_length=20, blank=True)
    kind_after = models.CharField(_("新类型"), max_length=20, blank=True)
    region_before = models.CharField(_("原旗区"), max_length=6, blank=True)
    region_after = models.CharField(_("新旗区"), max_length=6, blank=True)
    source = models.CharField(
        _("来源"), max_length=40, blank=True, help_text=_("如：后台、批量导入、单位资料保存")
    )
    reason = models.CharField(_("原因"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("操作时间"), auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("单位类型与旗区变更记录")
        verbose_name_plural = _("单位类型与旗区变更记录")

    def __str__(self) -> str:
        return f"{self.organization} {self.get_action_display()} {self.changed_at:%Y-%m-%d}"


class OrganizationYearStats(models.Model):
    """An organization's revenue (yuan) and employees in one calendar year."""

    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="year_stats"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    revenue = models.DecimalField(_("营业收入（元）"), max_digits=16, decimal_places=2, default=0)
    employees = models.PositiveIntegerField(_("从业人数"), default=0)

    class Meta:
        ordering = ["organization", "-year"]
        verbose_name = _("单位年度数据")
        verbose_name_plural = _("单位年度数据")
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="org_stats_unique_year"),
            models.CheckConstraint(condition=Q(revenue__gte=0), name="org_stats_revenue_nonneg"),
            models.CheckConstraint(
                condition=Q(year__gte=1990) & Q(year__lte=2100), name="org_stats_year_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"


class Membership(TimeStampedModel):
    """A user's place in one organization, with a role; bureau staff may be scoped to a district."""

    class Role(models.TextChoices):
        ADMIN = "admin", _("管理员")
        MEMBER = "member", _("成员")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("单位"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    district = models.ForeignKey(
        Region,
        verbose_name=_("管辖旗区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("仅用于政府部门人员：旗区工作人员只看本旗区；留空表示市级工作人员，可看全市。"),
    )
    email_notifications = models.BooleanField(_("接收邮件通知"), default=True)

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"


class OrganizationAlias(models.Model):
    """The credit code of a duplicate organization merged into ``organization`` (data clean-up):
    every credit-code look-up of the imports honours it, so a later file naming the old code
    lands on the kept organization."""

    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    name = models.CharField(_("原名称"), max_length=200)
    organization = models.ForeignKey(
        Organization, verbose_name=_("合并至单位"), on_delete=models.CASCADE, related_name="aliases"
    )
    merged_at = models.DateTimeField(_("合并时间"), auto_now_add=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-merged_at", "-id"]
        verbose_name = _("单位合并别名")
        verbose_name_plural = _("单位合并别名")

    def __str__(self) -> str:
        return f"{self.credit_code} → {self.organization_id}"


class ImportJob(TimeStampedModel):
    """One uploaded file going through the import pipeline: validate, preview, confirm, import."""

    class Status(models.TextChoices):
        VALIDATING = "validating", _("校验中")
        INVALID = "invalid", _("有错误")
        READY = "ready", _("待确认")
        IMPORTING = "importing", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("数据类型"), max_length=30)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("原文件名"), max_length=255)
    options = models.JSONField(_("选项"), default=dict, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.VALIDATING)
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("所属单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="import_jobs",
        help_text=_("上传者所在单位"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="import_jobs",
    )
    rows_total = models.PositiveIntegerField(_("总行数"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("已处理行数"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The Celery task that took the current step (validating or importing); empty while the step's
    # message waits in the queue. Another message for the same step (one re-sent by the
    # watchdog) leaves the job alone; the same message delivered again (its worker died) may go on.
    task_id = models.CharField(_("执行任务"), max_length=255, blank=True, editable=False)
    # Times the watchdog restarted a step whose task died or stalled (no heartbeat).
    restarts = models.PositiveSmallIntegerField(_("自动重启次数"), default=0, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")

    def __str__(self) -> str:
        return f"{self.kind} · {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in (self.Status.VALIDATING, self.Status.IMPORTING)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0 if self.is_running else 100
        return min(100, round(100 * self.rows_done / self.rows_total))

    @property
    def display_message(self) -> str:
        """The outcome in the reader's language, rendered from the stored result's figures; a
        message with no figures behind it (a file that could not be read, a restart, older
        jobs) shows as stored."""
        result = self.result or {}
        if "rows" not in result:
            return self.message
        if result.get("ok") and self.status in (self.Status.READY, self.Status.DONE):
            figures = {name: result.get(name, 0) for name in ("created", "updated", "unchanged")}
            if self.status == self.Status.READY and result.get("counted") is False:
                return gettext("全部 %(n)d 行校验通过；新增与更新的条数在导入时统计。") % {
                    "n": result["rows"]
                }
            if self.status == self.Status.READY:
                return (
                    gettext("校验通过：将新增 %(created)d 条，更新 %(updated)d 条，%(unchanged)d 条不变。")
                    % figures
                )
            return (
                gettext("已导入：新增 %(created)d 条，更新 %(updated)d 条，%(unchanged)d 条不变。") % figures
            )
        if self.status == self.Status.INVALID and result.get("errors"):
            n = len(result["errors"])
            if result.get("dry_run", True):
                return gettext("%(n)d 处错误，未写入任何数据。") % {"n": n}
            return gettext("数据在校验后发生变化，出现 %(n)d 处错误，未写入任何数据。") % {"n": n}
        return self.message


class OutboxTask(models.Model):
    """A Celery task that could not be sent because the broker was down; the beat watchdog
    (``portal.tasks.outbox_flush``, every minute) sends it when the broker is back."""

    name = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list, blank=True)
    kwargs = models.JSONField(_("关键字参数"), default=dict, blank=True)
    options = models.JSONField(_("发送选项"), default=dict, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("重试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")

    def __str__(self) -> str:
        return f"{self.name} {self.kwargs}"


class ApiToken(models.Model):
    """An API token of a user (``Authorization: Token <key>``): only its SHA-256 is stored; it
    expires ``API_TOKEN_TTL_DAYS`` after it was issued and is revoked by the user, by
    ``DELETE /api/auth/token/``, or with all the user's tokens when the password changes or the
    account is deactivated."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False)
    label = models.CharField(_("来源"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")
        indexes = [models.Index(fields=["user", "expires_at"], name="apitoken_user_expiry_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix}…"


class ImportHeartbeat(models.Model):
    """The last sign of life of the task carrying out an import job's step, written every
    ``PORTAL_IMPORT_HEARTBEAT_SECONDS`` by a thread of that task. A row of its own (no foreign
    key) because the import's transaction holds the job's row locked while it writes."""

    job_id = models.BigIntegerField(primary_key=True)
    task_id = models.CharField(max_length=255)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"import job {self.job_id}: {self.task_id} at {self.beat_at}"


class FileJob(TimeStampedModel):
    """A file built in the background for the user who asked for it (an export too slow to make
    while the request waits): its progress, then the file or the error. The kinds and how each is
    built are registered by the apps that own the data (``portal.filejobs.registry``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("生成中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    kind = models.CharField(_("文件类型"), max_length=40)
    params = models.JSONField(_("参数"), default=dict, blank=True)
    # The file is written in the language the user read the page in when asking for it.
    language = models.CharField(_("语言"), max_length=10, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.CASCADE, related_name="file_jobs"
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=100, blank=True)
    file = models.FileField(_("文件"), upload_to="file-jobs/%Y/%m/", blank=True)
    filename = models.CharField(_("下载文件名"), max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    error = models.TextField(_("错误"), blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("文件生成任务")
        verbose_name_plural = _("文件生成任务")
        indexes = [models.Index(fields=["requested_by", "kind", "created_at"], name="filejob_user_kind_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="filejob_progress_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def is_busy(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)
