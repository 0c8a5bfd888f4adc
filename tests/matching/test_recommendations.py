"""What the engine recommends and how it explains it: calibrated relevance, the threshold, the
tiers, and reasons that name only distinctive shared terms with the fields holding them (no
database)."""

from __future__ import annotations

import numpy as np
import pytest

from matching.engine import (
    DemandDoc,
    PatentDoc,
    Weights,
    build_index,
    calibration,
    reason_terms,
    score_demand,
    score_demands,
)

W = Weights()

# A small inventory of unrelated fields; every abstract uses the generic words 制备、利用、强度、满足
# so that they are common across the corpus (and some are on the generic-word list anyway).
TOPICS = [
    (
        "一种以煤矸石为主要原料的烧结砖",
        "本发明公开了一种以煤矸石为主要原料的烧结砖及其制备方法，利用煤矸石替代黏土，强度满足标准。",
        "1.一种煤矸石烧结砖，其特征在于，由煤矸石粉料压制成型后烧结而成。",
    ),
    (
        "一种花生油压榨工艺",
        "本发明公开了一种花生油压榨工艺，利用低温压榨制备花生油，强度满足要求，风味好。",
        "",
    ),
    ("一种阻燃涤纶面料", "本发明公开了一种阻燃涤纶面料的制备方法，利用磷系阻燃剂，强度满足服装要求。", ""),
    ("一种农药包装纸", "本发明公开了一种农药包装纸，利用防潮涂层制备，强度满足运输要求。", ""),
    ("一种羊绒分梳机", "本发明公开了一种羊绒分梳机，利用双锡林分梳，纤维强度满足纺纱要求，制备效率高。", ""),
    ("一种液压支架立柱", "本发明公开了一种液压支架立柱的制备方法，利用高强钢，强度满足煤矿综采要求。", ""),
    (
        "一种马铃薯覆膜播种机",
        "本发明公开了一种马铃薯覆膜播种机，利用起垄铲覆膜，强度满足田间作业，制备简单。",
        "",
    ),
    ("一种锂电池正极材料", "本发明公开了一种锂电池正极材料的制备方法，利用掺杂改性，循环强度满足要求。", ""),
    ("一种牛奶杀菌装置", "本发明公开了一种牛奶低温杀菌装置，利用板式换热，强度满足卫生要求，制备容易。", ""),
    (
        "一种风力发电机叶片",
        "本发明公开了一种风力发电机叶片的制备方法，利用碳纤维铺层，强度满足大型机组要求。",
        "",
    ),
    ("一种光伏支架", "本发明公开了一种光伏支架，利用铝合金型材制备，抗风强度满足要求。", ""),
    (
        "一种污水处理絮凝剂",
        "本发明公开了一种污水处理絮凝剂的制备方法，利用聚合氯化铝，絮体强度满足沉降要求。",
        "",
    ),
]
PATENTS = [
    PatentDoc(
        id=i + 1, application_no=f"2020100000{i:02d}.1", title=t, abstract=a, claims=c, deal_kinds={"license"}
    )
    for i, (t, a, c) in enumerate(TOPICS)
]
GANGUE = DemandDoc(
    id="G",
    code="G",
    title="煤矸石制备新型建材技术",
    description="希望引进利用煤矸石制备新型建筑材料的专利技术，要求强度满足国家标准。",
)
NOTHING = DemandDoc(
    id="N", code="N", title="量子密钥分发芯片封装技术", description="寻求单光子探测器的封装。"
)


def field_texts(ids):
    return {p.id: (p.title, p.abstract, p.claims) for p in PATENTS if p.id in set(ids)}


@pytest.fixture(scope="module")
def index():
    return build_index(PATENTS, version="recommendations")


def test_relevance_is_a_monotone_probability_with_an_exact_inverse():
    t = np.array([0.0, 0.01, 0.05, 0.1, 0.2, 0.5, 1.0])
    p = calibration.relevance(t, W)
    assert p[0] == 0 and np.all(np.diff(p) > 0) and np.all((p >= 0) & (p < 1))
    for probability in (0.1, W.recommend_min, W.tier_high, 0.9):
        assert calibration.relevance_of(calibration.text_needed(probability, W), W) == pytest.approx(
            probability
        )


def test_final_score_is_the_relevance_without_boosts_and_never_above_one():
    rel = np.array([0.0, 0.3, 0.6, 0.99])
    assert np.allclose(calibration.final_score(rel, 1.0, np.ones(4)), rel)
    boosted = calibration.final_score(rel, 1.0, np.full(4, 1.43))
    assert np.all(boosted[1:] > rel[1:]) and np.all(boosted <= 1.0)
    assert np.all(calibration.final_score(rel, 0.5, np.ones(4)) <= rel)


def test_the_real_match_is_recommended_and_the_noise_is_not(index):
    matches = score_demand(index, GANGUE, top_n=20)
    assert [m.application_no for m in matches] == [PATENTS[0].application_no]
    assert dict(matches[0].signals)["relevance"] >= W.recommend_min
    # Without a threshold the same ranking lists the patents sharing only generic words.
    everything = score_demand(index, GANGUE, top_n=20, weights=W.replace(recommend_min=0.0))
    assert len(everything) > 3 and everything[0].application_no == PATENTS[0].application_no


def test_a_demand_with_nothing_relevant_gets_nothing(index):
    assert score_demand(index, NOTHING, top_n=20) == []


def test_every_recommendation_reaches_the_threshold_and_carries_its_tier(index):
    low = W.replace(recommend_min=0.05, tier_high=0.3)
    for matches in score_demands(index, [GANGUE, NOTHING], top_n=20, weights=low):
        for m in matches:
            relevance = dict(m.signals)["relevance"]
            assert relevance >= low.recommend_min
            assert m.tier == ("high" if relevance >= low.tier_high else "possible")
            assert m.as_dict()["tier"] == m.tier


def test_threshold_decides_on_relevance_not_on_boosts(index):
    # A dormant, open-licence patent gets a higher score but is not recommended for that alone.
    boosted = [PatentDoc(**{**p.__dict__, "dormant": True, "open_license": True}) for p in PATENTS]
    matches = score_demand(build_index(boosted, version="boosted"), GANGUE, top_n=20)
    assert [m.application_no for m in matches] == [PATENTS[0].application_no]
    assert matches[0].score > dict(matches[0].signals)["relevance"]


def test_reasons_name_only_distinctive_terms_and_their_fields(index):
    best = score_demand(index, GANGUE, top_n=1, field_texts=field_texts)[0]
    terms_reason = best.reasons[0]
    assert terms_reason.startswith("共同关键词：煤矸石（标题／摘要／权利要求）")
    for generic in ("制备", "利用", "强度", "满足", "方法", "技术"):
        assert generic not in terms_reason


def test_reasons_without_field_texts_name_the_terms_only(index):
    best = score_demand(index, GANGUE, top_n=1)[0]
    assert best.reasons[0] == "共同关键词：煤矸石"


def test_common_terms_are_left_out_by_document_frequency(index):
    # 煤矸石 is in one patent of twelve; with a limit of 0 patents nothing is distinctive.
    strict = W.replace(reason_max_df=0.0, reason_min_df_count=0)
    best = score_demand(index, GANGUE, top_n=1, weights=strict)[0]
    assert not any(r.startswith("共同关键词") for r in best.reasons)
    n = len(index)
    cols = np.array([int(np.flatnonzero(index.idf)[0])])
    df = reason_terms.document_frequency(index.idf, cols, n)
    assert 1 <= df[0] <= n


def test_fields_having():
    fields = reason_terms.normalise_fields("煤矸石砖", "以煤矸石为原料", "")
    assert reason_terms.fields_having("煤矸石", fields) == ["标题", "摘要"]
    assert reason_terms.terms_reason(["煤矸石", "黏土"], fields) == "共同关键词：煤矸石（标题／摘要）、黏土"


def test_overlapping_ngrams_are_named_as_the_longer_term():
    from matching.engine.scorer import _merge_overlapping

    grams, terms, df = ["土壤改", "壤改良", "改良剂"], {"土壤改": 1.0, "壤改良": 1.0, "改良剂": 0.5}, {}
    _merge_overlapping(grams, terms, df)
    assert list(terms) == ["土壤改良剂"] and terms["土壤改良剂"] == pytest.approx(2.5)


def test_one_shared_generic_word_is_not_a_recommendation():
    patents = [
        PatentDoc(
            id=1, application_no="202010000001.1", title="一种快速接头", abstract="一种快速接头，便于拆装。"
        ),
        PatentDoc(id=2, application_no="202010000002.1", title="一种花生油压榨机", abstract="压榨花生油。"),
    ]
    quick = DemandDoc(id="Q", code="Q", title="快速", description="")
    idx = build_index(patents, version="generic")
    assert score_demand(idx, quick, top_n=5, weights=W.replace(recommend_min=0.0)) == []
