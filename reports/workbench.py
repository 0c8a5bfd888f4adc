"""The workbench: the landing page after login, one per role. Each item is a link with a count of
what waits for the user; the counts come from the apps' selectors, a constant number of queries
whatever the data size. This module sits in the top layer because it reads every app."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from demands.selectors import demand_expiring_count, demand_expiry_warning_date
from finance import permissions as finance_permissions
from finance.models import Pledge
from finance.selectors import insurance_policy_list, pledge_due_count
from matching.selectors import matching_workbench_counts
from patents.permissions import has_own_inventory
from patents.selectors import patent_open_license_count, patent_workbench_counts
from portal.imports.selectors import import_job_workbench_counts
from portal.permissions import Actor, Role
from portal.selectors import organization_pending_count

from . import kpi
from .selectors import report_workbench_counts


@dataclass(frozen=True)
class Item:
    """One line of the workbench: what it counts, the page that lists it, and how urgent it is."""

    key: str
    label: str
    count: int | str
    url: str
    icon: str = "bi-circle"
    # "action": something to do (highlighted when the count is not 0); "info": a figure.
    tone: str = "action"
    hint: str = ""

    @property
    def is_due(self) -> bool:
        return self.tone == "action" and bool(self.count)


@dataclass
class Workbench:
    title: str
    items: list[Item] = field(default_factory=list)
    # The role's main tasks: (label, url, icon), shown as buttons.
    actions: list[tuple[str, str, str]] = field(default_factory=list)
    figures_title: str = ""
    figures: list[Item] = field(default_factory=list)


def _url(name: str, query: dict | None = None, **kwargs) -> str:
    url = reverse(name, kwargs=kwargs or None)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def _sme(actor: Actor, today: dt.date) -> Workbench:
    counts = matching_workbench_counts(actor=actor)
    industries = list(actor.organization.industries.values_list("pk", "code"))
    deadline = demand_expiry_warning_date(today)
    return Workbench(
        title=_("企业工作台"),
        items=[
            Item(
                "new-matches",
                _("新推荐专利（近14天）"),
                counts.get("new_matches", 0),
                _url("demands:mine", {"status": "open"}),
                "bi-stars",
                hint=_("为您的在征需求推荐的专利，打开需求查看。"),
            ),
            Item(
                "replies",
                _("已回复的咨询"),
                counts.get("replies", 0),
                _url("matching:inquiry-list", {"status": "replied"}),
                "bi-chat-left-text",
                hint=_("权利人已回复，等待您进一步沟通。"),
            ),
            Item(
                "expiring-demands",
                _("即将到期的需求（14天内）"),
                demand_expiring_count(actor=actor, today=today),
                _url("demands:mine", {"status": "open", "deadline_before": deadline.isoformat()}),
                "bi-hourglass-split",
                hint=_("到期前可续期。"),
            ),
            Item(
                "open-licenses",
                _("本行业开放许可专利"),
                patent_open_license_count(industry_ids=[pk for pk, _code in industries]),
                _url(
                    "patents:list", {"open_license": "true", "industry": [code for _pk, code in industries]}
                ),
                "bi-unlock",
                tone="info",
                hint=_("按公开的许可条件即可实施。"),
            ),
        ],
        actions=[
            (_("发布技术需求"), reverse("demands:demand-create"), "bi-megaphone"),
            (_("检索专利"), reverse("patents:list"), "bi-search"),
        ],
    )


def _owner_items(actor: Actor, today: dt.date) -> list[Item]:
    """Institutions, and agencies for their clients: inquiries to answer and listings to follow."""
    patents = patent_workbench_counts(actor=actor, today=today)
    matching = matching_workbench_counts(actor=actor)
    items = [
        Item(
            "to-answer",
            _("待回复的咨询"),
            matching.get("to_answer", 0),
            _url("matching:inquiry-list", {"status": "new"}),
            "bi-chat-dots",
        ),
        Item(
            "submitted",
            _("待审核的挂牌"),
            patents.get("submitted", 0),
            _url("patents:mine", {"status": "submitted"}),
            "bi-hourglass",
            tone="info",
            hint=_("审核通过后在专利超市公开，结果会通知您。"),
        ),
        Item(
            "returned",
            _("被退回的挂牌"),
            patents.get("returned", 0),
            _url("patents:mine", {"status": "draft", "returned": "1"}),
            "bi-arrow-return-left",
            hint=_("按审核意见修改后重新提交。"),
        ),
        Item(
            "expiring-listings",
            _("即将到期的挂牌（30天内）"),
            patents.get("expiring", 0),
            _url("patents:mine", {"status": "published", "expiring": "1"}),
            "bi-calendar-x",
            hint=_("挂牌有效期12个月，可一键续期。"),
        ),
    ]
    if "submitted" not in patents:  # an agency without clients yet
        items = []
    if "review" in patents:
        items.append(
            Item(
                "review",
                _("待审核的客户挂牌"),
                patents["review"],
                reverse("patents:review"),
                "bi-patch-check",
            )
        )
    if "unserved" in matching:
        items.append(
            Item(
                "unserved",
                _("未满足需求"),
                matching["unserved"],
                reverse("matching:unserved-demands"),
                "bi-question-diamond",
                tone="info",
            )
        )
    return items


def _institution(actor: Actor, today: dt.date) -> Workbench:
    return Workbench(
        title=_("权利人工作台"),
        items=_owner_items(actor, today),
        actions=[
            (_("导入专利清单"), reverse("portal:import-list"), "bi-upload"),
            (_("本单位专利"), reverse("patents:mine"), "bi-collection"),
        ],
    )


def _agency(actor: Actor, today: dt.date) -> Workbench:
    return Workbench(
        title=_("服务机构工作台"),
        items=_owner_items(actor, today),
        actions=[
            # An agency acting for no institution yet has no client patents to open.
            *(
                [(_("客户专利"), reverse("patents:mine"), "bi-collection")]
                if has_own_inventory(actor)
                else []
            ),
            (_("审核客户挂牌"), reverse("patents:review"), "bi-patch-check"),
        ],
    )


def _import_items(actor: Actor) -> list[Item]:
    imports = import_job_workbench_counts(actor=actor)
    return [
        Item(
            "import-errors",
            _("有错误的导入"),
            imports["errors"],
            reverse("portal:import-list"),
            "bi-x-octagon",
        ),
        Item(
            "import-ready",
            _("待确认的导入"),
            imports["ready"],
            reverse("portal:import-list"),
            "bi-check2-square",
        ),
    ]


def _bank(actor: Actor, today: dt.date) -> Workbench:
    return Workbench(
        title=_("金融机构工作台"),
        items=[
            Item(
                "pledges-due",
                _("即将到期的质押（60天内）"),
                pledge_due_count(actor=actor, today=today),
                _url("finance:pledge-list", {"due": "true"}),
                "bi-bank",
                hint=_("含已到期尚未解除的质押。"),
            ),
            *_import_items(actor),
        ],
        actions=[
            *(
                [(_("登记质押融资"), reverse("finance:pledge-create"), "bi-plus-circle")]
                if finance_permissions.can_create(actor, Pledge)
                else []
            ),
            (_("批量导入"), reverse("portal:import-list"), "bi-upload"),
        ],
    )


def _insurer(actor: Actor, today: dt.date) -> Workbench:
    return Workbench(
        title=_("金融机构工作台"),
        items=[
            Item(
                "policies",
                _("本机构承保的专利保险"),
                insurance_policy_list(actor=actor).order_by().count(),
                reverse("finance:insurance-list"),
                "bi-shield-check",
                tone="info",
            )
        ],
        actions=[(_("交易与金融"), reverse("finance:home"), "bi-cash-coin")],
    )


def _staff_items(actor: Actor, today: dt.date) -> list[Item]:
    patents = patent_workbench_counts(actor=actor, today=today)
    matching = matching_workbench_counts(actor=actor)
    imports = import_job_workbench_counts(actor=actor)
    return [
        Item(
            "review",
            _("待审核的专利挂牌"),
            patents.get("review", 0),
            reverse("patents:review"),
            "bi-patch-check",
        ),
        Item(
            "organizations",
            _("待审核的注册单位"),
            organization_pending_count(actor=actor),
            _url("portal:organization-review", {"status": "pending"}),
            "bi-building-check",
        ),
        Item(
            "unserved",
            _("未满足需求"),
            matching.get("unserved", 0),
            reverse("matching:unserved-demands"),
            "bi-question-diamond",
            hint=_("没有推荐专利的在征需求，可定向对接。"),
        ),
        Item(
            "import-errors",
            _("有错误的导入"),
            imports["errors"],
            reverse("portal:import-list"),
            "bi-x-octagon",
        ),
    ]


def _bureau(actor: Actor, today: dt.date) -> Workbench:
    reports = report_workbench_counts(actor=actor, year=today.year)
    items = _staff_items(actor, today)
    items += [
        Item(
            "reports-awaiting",
            _("待审定的报告"),
            reports.get("awaiting", 0),
            reverse("reports:annual-list"),
            "bi-file-earmark-check",
        ),
        Item(
            "reports-due",
            _("待生成的上年度报告"),
            reports.get("due", 0),
            reverse("reports:annual-list"),
            "bi-file-earmark-plus",
            hint=_("%(year)s 年度绩效报告尚未生成。") % {"year": today.year - 1}
            if reports.get("due")
            else "",
        ),
    ]
    return Workbench(
        title=_("市局工作台"),
        items=items,
        actions=[
            (_("监管看板"), reverse("reports:dashboard"), "bi-speedometer2"),
            (_("年度报告"), reverse("reports:annual-list"), "bi-file-earmark-text"),
        ],
    )


def district_figures(*, district: str, year: int) -> dict[str, object]:
    """The district's deals and pledges in ``year`` so far, by the KPI definitions."""
    raw = kpi.collect([year], district, figures=kpi.so_far_figures(district)).get(None, {})

    def value(key):
        return raw.get(key, {}).get(year) or 0

    return {
        "sme_deals": value("sme_deals.deals"),
        "institution_deals": value("institution_deals.deals"),
        "pledges": value("pledges.count"),
        "pledge_amount": value("pledges.amount"),
    }


def _district(actor: Actor, today: dt.date) -> Workbench:
    figures = district_figures(district=actor.district_code, year=today.year)
    dashboard = _url("reports:dashboard", {"year": today.year})
    return Workbench(
        title=_("旗区工作台"),
        items=_staff_items(actor, today),
        actions=[(_("监管看板"), reverse("reports:dashboard"), "bi-speedometer2")],
        figures_title=_("%(year)s 年至今") % {"year": today.year},
        figures=[
            Item(
                "sme-deals",
                _("中小微企业受让/获许可交易"),
                figures["sme_deals"],
                dashboard,
                "bi-graph-up",
                "info",
            ),
            Item(
                "institution-deals",
                _("高校院所转让/许可交易"),
                figures["institution_deals"],
                dashboard,
                "bi-mortarboard",
                "info",
            ),
            Item("pledges", _("专利质押融资笔数"), figures["pledges"], dashboard, "bi-bank", "info"),
            Item(
                "pledge-amount",
                _("质押融资金额（万元）"),
                f"{figures['pledge_amount'] / 10000:,.1f}",
                dashboard,
                "bi-cash-stack",
                "info",
            ),
        ],
    )


BUILDERS = {
    Role.SME: _sme,
    Role.INSTITUTION: _institution,
    Role.AGENCY: _agency,
    Role.BANK: _bank,
    Role.INSURER: _insurer,
    Role.DISTRICT_OFFICER: _district,
    Role.BUREAU: _bureau,
    Role.ADMIN: _bureau,
}


def workbench_for(*, actor: Actor, today: dt.date | None = None) -> Workbench | None:
    """The actor's workbench; None for a user without a role yet (no organization, or one that
    waits for verification)."""
    builder = BUILDERS.get(actor.role)
    if builder is None:
        return None
    return builder(actor, today or timezone.localdate())
