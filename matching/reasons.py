"""Match reasons in the reader's language.

The engine writes its reasons in Chinese (they are stored with each match and printed by
``manage.py match --json``); this module renders each stored reason through the translation
catalog when the page is read in another language. The phrases are the engine's own
(``matching.engine.scorer.explain``, ``matching.engine.reason_terms.terms_reason`` and
``_availability_reason``); a reason this module does not
recognise is shown as it is.
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from portal.languages import reads_chinese
from portal.models import Industry

from .engine.docs import DEAL_KINDS

LIST_SEPARATOR = "、"
FIELD_SEPARATOR = "／"


def _fixed() -> dict[str, str]:
    return {
        "沉睡专利，优先推荐": _("沉睡专利，优先推荐"),
        "开放许可": _("开放许可"),
        "先用后付": _("先用后付"),
        "涉农专利，适合县域中小企业": _("涉农专利，适合县域中小企业"),
        "价格面议": _("价格面议"),
        "价格在预算内": _("价格在预算内"),
        "报价高于预算": _("报价高于预算"),
    }


def _ipc_levels() -> dict[str, str]:
    return {
        "大组": pgettext("IPC level", "大组"),
        "小类": pgettext("IPC level", "小类"),
        "大类": pgettext("IPC level", "大类"),
    }


def _deal_kinds(text: str) -> str:
    from patents.models import Patent

    kinds = {label: kind for kind, label in DEAL_KINDS.items()}
    labels = dict(Patent.DealKind.choices)
    return ", ".join(str(labels.get(kinds.get(part, ""), part)) for part in text.split(LIST_SEPARATOR))


@functools.cache
def _industry_names_en() -> dict[str, str]:
    """Chinese name -> English name of the industries (reference data: read once per process)."""
    return {name: name_en for name, name_en in Industry.objects.values_list("name", "name_en") if name_en}


def _industry(name: str) -> str:
    return _industry_names_en().get(name, name)


def _fields() -> dict[str, str]:
    return {
        "标题": pgettext("patent field", "标题"),
        "摘要": pgettext("patent field", "摘要"),
        "权利要求": pgettext("patent field", "权利要求"),
    }


def _term(text: str) -> str:
    """A shared term, with the patent fields it was found in when the engine named them:
    ``煤矸石（标题／摘要）`` -> ``煤矸石 (title, abstract)``."""
    match = re.fullmatch(r"(.+?)（(.+)）", text)
    if not match:
        return text
    fields = _fields()
    labels = [str(fields.get(part, part)) for part in match[2].split(FIELD_SEPARATOR)]
    return f"{match[1]} ({', '.join(labels)})"


def _part(text: str) -> str:
    """One clause of a reason (the availability reason joins several with "，")."""
    fixed = _fixed()
    if text in fixed:
        return fixed[text]
    if match := re.fullmatch(r"共同关键词：(.+)", text):
        return _("共同关键词：%(terms)s") % {
            "terms": ", ".join(_term(t) for t in match[1].split(LIST_SEPARATOR))
        }
    if match := re.fullmatch(r"IPC 同(大组|小类|大类) (.+?)(（据文本推断）)?", text):
        values = {"level": _ipc_levels()[match[1]], "code": match[2]}
        if match[3]:
            return _("IPC 同%(level)s %(code)s（据文本推断）") % values
        return _("IPC 同%(level)s %(code)s") % values
    if match := re.fullmatch(r"同属产业：(.+)", text):
        return _("同属产业：%(industry)s") % {"industry": _industry(match[1])}
    if match := re.fullmatch(r"提供(.+)", text):
        return _("提供%(kinds)s") % {"kinds": _deal_kinds(match[1])}
    if match := re.fullmatch(r"交易方式不符（仅提供(.+)）", text):
        return _("交易方式不符（仅提供%(kinds)s）") % {"kinds": _deal_kinds(match[1])}
    return text


def localize(reason: str) -> str:
    """``reason`` (as the engine wrote it) in the active language."""
    if reads_chinese():
        return reason
    fixed = _fixed()
    if reason in fixed:
        return fixed[reason]
    return "; ".join(_part(part) for part in reason.split("，"))
