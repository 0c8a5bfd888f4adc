"""Stored match reasons (Chinese, as the engine writes them) shown in the reader's language."""

import pytest
from django.utils import translation

from matching.reasons import localize
from tests.patents.factories import industry

pytestmark = pytest.mark.django_db

ENGINE_REASONS = [
    "共同关键词：煤矿、支护",
    "IPC 同小类 E21D",
    "IPC 同大组 E21D 23/00（据文本推断）",
    "提供转让、许可，价格在预算内",
    "交易方式不符（仅提供作价入股），报价高于预算",
    "价格面议",
    "沉睡专利，优先推荐",
    "开放许可",
    "先用后付",
    "涉农专利，适合县域中小企业",
]


def test_chinese_readers_see_the_reasons_as_stored():
    with translation.override("zh-hans"):
        assert [localize(r) for r in ENGINE_REASONS] == ENGINE_REASONS


def test_english_readers_see_every_engine_phrase_translated():
    coal = industry("coal")
    with translation.override("en"):
        english = [localize(r) for r in [*ENGINE_REASONS, f"同属产业：{coal.name}"]]
    assert english == [
        "Shared key terms: 煤矿, 支护",  # the terms are the texts' own words
        "Same IPC subclass E21D",
        "Same IPC main group E21D 23/00 (inferred from the text)",
        "Offers Transfer, Licence; Price within budget",
        "Deal kind does not fit (offers only Equity contribution); Asking price above budget",
        "Price negotiable",
        "Dormant patent, recommended first",
        "Open licence",
        "Use first, pay later",
        "Agricultural patent, suited to SMEs in county-level districts",
        f"Same industry: {coal.name_en}",
    ]
    with translation.override("en"):
        assert localize("某个新理由") == "某个新理由"  # unknown phrases are shown as they are


def test_every_reason_of_a_real_run_is_translated():
    from matching.models import Match
    from matching.services import runs
    from tests.matching.test_runs import make_corpus

    _patents, demands = make_corpus(n_patents=40, n_demands=6)
    for demand in demands:
        runs.demand_match(demand_id=demand.pk)
    stored = {reason for reasons in Match.objects.values_list("reasons", flat=True) for reason in reasons}
    assert stored
    with translation.override("en"):
        untranslated = {reason for reason in stored if localize(reason) == reason}
    assert untranslated == set()


def test_terms_with_their_fields_are_rendered_in_english_structure():
    reason = "共同关键词：煤矸石（标题／摘要）、建材（权利要求）"
    with translation.override("zh-hans"):
        assert localize(reason) == reason
    with translation.override("en"):
        english = localize(reason)
    # The terms stay the texts' own words; the field names come from the catalogue.
    assert english.startswith("Shared key terms: 煤矸石 (") and ", 建材 (" in english
    assert "（" not in english and "／" not in english and english.endswith(")")
