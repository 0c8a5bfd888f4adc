"""Notification texts rendered when read, in the reader's language.

A notification stores a text code and its parameters (names, titles, figures: the users' own
data); its title and body are rendered from them at display time through the translation
catalog, so the same row reads in Chinese on Chinese pages and in English on English pages.
Rows stored before the codes existed (no code) show the text they were stored with.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext as _

from portal.languages import reads_chinese

from .models import Inquiry, Notification
from .reasons import localize

# The catalog entries are the texts the services used to store (same msgids).


def _match_line(line: dict, *, for_owner: bool) -> str:
    chinese = reads_chinese()
    score = f"{line['score']}%"
    reasons = ("；" if chinese else "; ").join(localize(r) for r in line.get("reasons", [])[:3])
    if for_owner:
        if line.get("demand_title"):
            target = _("需求 %(code)s“%(title)s”") % {
                "code": line["demand_code"],
                "title": line["demand_title"],
            }
        else:
            target = _("需求 %(code)s（详情仅认证机构可见）") % {"code": line["demand_code"]}
        text = _("专利“%(patent)s”（%(no)s）↔ %(demand)s，匹配度 %(score)s") % {
            "patent": line["patent"],
            "no": line["no"],
            "demand": target,
            "score": score,
        }
    else:
        text = _("“%(patent)s”（%(no)s，%(owner)s），匹配度 %(score)s") % {
            "patent": line["patent"],
            "no": line["no"],
            "owner": line["owner"],
            "score": score,
        }
    return f"• {text}" + ((("：" if chinese else ": ") + reasons) if reasons else "")


def _match_body(params: dict, *, for_owner: bool) -> str:
    lines = [_match_line(line, for_owner=for_owner) for line in params.get("lines", [])]
    if params.get("more"):
        lines.append(_("……另有 %(n)d 项") % {"n": params["more"]})
    return "\n".join(lines)


def _status_label(value: str) -> str:
    return str(Inquiry.Status(value).label) if value in Inquiry.Status.values else value


TITLES: dict[str, Callable[[dict], str]] = {
    "match.demand": lambda p: _("需求“%(title)s”有 %(n)d 项新的推荐专利") % p,
    "match.owner": lambda p: _("%(owner)s的 %(n)d 项专利匹配到新的技术需求") % p,
    "inquiry.new": lambda p: _("新咨询：%(org)s咨询专利“%(title)s”") % p,
    "inquiry.answered": lambda p: _("%(org)s回复了您的咨询：%(subject)s") % p,
    "inquiry.message": lambda p: _("%(org)s在咨询中留言：%(subject)s") % p,
    "inquiry.status": lambda p: (
        _("咨询“%(subject)s”状态变为“%(status)s”")
        % {"subject": p["subject"], "status": _status_label(p["status"])}
    ),
    "inquiry.accepted": lambda p: _("%(org)s接受了您的咨询，双方联系方式已公开") % p,
    "listing.approved": lambda p: _("专利挂牌已通过审核：%(title)s") % p,
    "listing.rejected": lambda p: _("专利挂牌被退回：%(title)s") % p,
    "contract.drafted": lambda p: _("合同草稿已起草：%(no)s，请核对条款") % p,
    "contract.changed": lambda p: _("合同草稿 %(no)s 已修改，请重新核对") % p,
    "contract.confirmed": lambda p: _("对方已确认合同 %(no)s，请确认签订") % p,
    "contract.signed": lambda p: _("合同 %(no)s 已签订，交易已记录") % p,
    "followup.due": lambda p: _("交易回访：合同 %(no)s 签订已满 %(months)d 个月，请填报专利实施情况") % p,
    "openlicense.taken": lambda p: _("%(org)s已实施专利“%(title)s”的开放许可") % p,
}
BODIES: dict[str, Callable[[dict], str]] = {
    "contract.drafted": lambda p: p["patent"],
    "contract.changed": lambda p: p["patent"],
    "contract.confirmed": lambda p: p["patent"],
    "contract.signed": lambda p: p["patent"],
    "followup.due": lambda p: _("请告诉我们：专利是否已实施、用于哪种产品、由此带来的收入和就业。"),
    "openlicense.taken": lambda p: p["terms"],
    "listing.approved": lambda p: _("已在专利超市公开，挂牌有效期至 %(until)s。") % p,
    "listing.rejected": lambda p: _("审核意见：%(note)s") % p,
    "match.demand": lambda p: _match_body(p, for_owner=False),
    "match.owner": lambda p: _match_body(p, for_owner=True),
}


def render_title(code: str, params: dict, stored: str) -> str:
    try:
        return TITLES[code](params) if code in TITLES else stored
    except (KeyError, TypeError, ValueError):
        return stored  # parameters of an older shape: the stored text


def render_body(code: str, params: dict, stored: str) -> str:
    try:
        return BODIES[code](params) if code in BODIES else stored
    except (KeyError, TypeError, ValueError):
        return stored


def notification_title(notification: Notification) -> str:
    return render_title(notification.text_code, notification.text_params, notification.title)


def notification_body(notification: Notification) -> str:
    return render_body(notification.text_code, notification.text_params, notification.body)
