"""Unit tests of the matching engine core (matching.engine): no database, no Django models."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from matching.engine import (
    DemandDoc,
    PatentDoc,
    PatentIndex,
    Weights,
    build_index,
    corpus_version,
    get_weights,
    index_dir,
    load_or_build,
    merge_matches,
    score_demand,
    score_demands,
    score_new_patents,
    signals,
    text,
)
from matching.engine import index as index_module
from matching.engine.signals import parse_ipc

W = Weights()


def patent(pid: int, no: str, title: str, abstract: str, **kw) -> PatentDoc:
    kw.setdefault("deal_kinds", {"license", "transfer"})
    return PatentDoc(id=pid, application_no=no, title=title, abstract=abstract, **kw)


CORPUS = [
    patent(
        1,
        "202010000001.1",
        "一种煤矿巷道锚杆支护装置",
        "本发明公开了一种煤矿巷道锚杆支护装置，包括锚杆、托盘和锚索，用于煤矿井下巷道围岩支护，"
        "提高巷道支护强度。",
        ipc_codes=["E21D 21/00"],
        industry_codes=["coal"],
        dormant=True,
        asking_price=Decimal("30"),
    ),
    patent(
        2,
        "202010000002.2",
        "一种煤矿综采工作面液压支架",
        "本发明涉及一种液压支架，用于煤矿综采工作面顶板支护，包括底座、立柱和顶梁。",
        ipc_codes=["E21D 23/04"],
        industry_codes=["coal"],
        asking_price=Decimal("80"),
    ),
    patent(
        3,
        "202010000003.3",
        "一种羊绒分梳工艺",
        "本发明公开了一种羊绒分梳工艺，包括开松、梳理和除杂步骤，提高羊绒纤维长度保留率。",
        ipc_codes=["D01G 15/00"],
        industry_codes=["cashmere"],
        open_license=True,
    ),
    patent(
        4,
        "202010000004.4",
        "一种马铃薯种植覆膜装置",
        "本实用新型公开了一种马铃薯种植覆膜装置，包括机架、覆膜辊和起垄铲，适用于旱作农业马铃薯种植。",
        ipc_codes=["A01B 49/04"],
        industry_codes=["agri"],
        is_agricultural=True,
    ),
    patent(
        5,
        "202010000005.5",
        "一种锂离子电池正极材料的制备方法",
        "本发明公开了一种锂离子电池正极材料的制备方法，采用共沉淀法制备三元前驱体，再经高温烧结得到正极材料。",
        ipc_codes=["H01M 4/505"],
        use_first_pay_later=True,
        deal_kinds={"license"},
    ),
    patent(
        6,
        "202010000006.6",
        "一种丁二酸的发酵生产方法",
        "本发明公开了一种丁二酸的发酵生产方法，以秸秆水解液为碳源发酵生产丁二酸，丁二酸产率高。",
        ipc_codes=["C12P 7/46"],
        deal_kinds={"transfer"},
        asking_price=Decimal("200"),
    ),
    patent(
        7,
        "202010000007.7",
        "一种煤矿巷道支护用喷浆机",
        "本发明公开了一种喷浆机，用于煤矿巷道混凝土喷射支护。",
        ipc_codes=["E21D 11/10"],
        in_force=False,
    ),
    patent(
        8,
        "202010000008.8",
        "一种羊绒衫的防起球整理方法",
        "本发明公开了一种羊绒衫的防起球整理方法，采用生物酶处理羊绒针织物。",
        ipc_codes=["D06M 16/00"],
        industry_codes=["cashmere"],
        listed=False,
    ),
]


def demand(code: str, title: str, description: str = "", **kw) -> DemandDoc:
    kw.setdefault("deal_kinds", {"license"})
    return DemandDoc(id=code, code=code, title=title, description=description, **kw)


DEMANDS = [
    demand(
        "D1",
        "煤矿巷道支护技术需求",
        "我公司希望引进煤矿巷道支护相关技术，提高支护强度。",
        ipc_hints=["E21D"],
        industry_code="coal",
        budget_max=Decimal("50"),
    ),
    demand("D2", "羊绒加工技术", "寻求羊绒分梳方面的专利许可或转让。", industry_code="cashmere"),
    demand("D3", "马铃薯种植机械", "需要马铃薯覆膜种植技术，用于改进现有产品。", district_is_county=True),
    demand(
        "D4",
        "丁二酸技术需求",
        "我公司希望引进丁二酸相关技术。",
        deal_kinds={"license"},
        budget_max=Decimal("100"),
    ),
    demand("D5", "锂电池正极材料", "寻求锂离子电池正极材料制备技术。"),
    demand("D6", "完全无关的需求", "量子引力理论研究。"),
]


@pytest.fixture(scope="module")
def index() -> PatentIndex:
    return build_index(CORPUS, version="test")


# --------------------------------------------------------------------------------------------
# Tokenisation


def test_two_character_words_are_tokens():
    words = text.tokenize("本发明公开了一种煤矿巷道支护装置，包括锚杆")
    assert "煤矿" in words
    assert "支护" in words
    assert "巷道" in words


def test_patent_boilerplate_is_removed():
    words = text.tokenize("本发明公开了一种方法，所述装置包括系统")
    assert not {"本发明", "公开", "一种", "所述", "包括", "方法", "装置", "系统"} & set(words)


def test_demand_boilerplate_is_removed():
    assert text.tokenize("我公司希望引进相关技术需求，寻求专利许可或转让") == []


def test_numbers_and_measurements_are_not_words_but_latin_terms_are():
    words = text.tokenize("厚度为3mm的PVC管，温度120℃")
    assert "pvc" in words
    assert not any(w.startswith("3") or w.startswith("120") for w in words)


def test_character_ngrams_reach_terms_jieba_splits():
    # 三烯丙酯 is not in jieba's dictionary: the demand side keeps it as one unit for n-grams.
    units = text.query_units(text.normalize("需要三烯丙酯技术"))
    assert "三烯丙酯" in units
    bag = text.query_features("需要三烯丙酯技术")
    assert ("烯丙", 1.0) in bag[1]
    assert ("三烯丙", 1.0) in bag[2]


def test_ngrams_do_not_span_boilerplate():
    runs = text.han_runs(text.normalize("本发明公开了一种丁二酸的制备方法"))
    assert "丁二酸的制备" in runs
    assert not any("本发明" in r or "方法" in r for r in runs)


def test_stopwords_ship_with_the_package():
    stop = text.stopwords()
    for phrase in (
        "本发明",
        "一种",
        "所述",
        "我公司",
        "希望",
        "引进",
        "寻求",
        "需求",
        "专利",
        "许可",
        "转让",
    ):
        assert phrase in stop
    assert text.STOPWORDS_FILE.parent.name == "textanalysis"


def test_normalise_full_width():
    assert text.normalize("ＰＶＣ１２３") == "pvc123"


def test_hash_columns_are_stable_and_grouped():
    m = text.hash_bags([([("煤矿", 1.0)], [("煤矿", 2.0)], [])])
    cols = m.indices.tolist()
    assert len(cols) == 2
    assert cols[0] < text.GROUP_OFFSETS["b"] <= cols[1] < text.GROUP_OFFSETS["t"]
    assert text.columns_of(0, ["煤矿"]).tolist() == [cols[0]]
    assert text.columns_of(1, ["煤矿"]).tolist() == [cols[1]]


# --------------------------------------------------------------------------------------------
# Signals


def test_ipc_parser():
    p = parse_ipc("E21D 11/00")
    assert (p.section, p.klass, p.subclass, p.group, p.code) == ("E", "E21", "E21D", "E21D 11", "E21D 11/00")
    assert parse_ipc("e21d11/00").code == "E21D 11/00"
    assert parse_ipc("E21D").depth == "subclass"
    assert parse_ipc("E21").depth == "class"
    assert parse_ipc("E21D 11").depth == "group"
    assert parse_ipc("not ipc") is None
    assert parse_ipc("") is None


@pytest.mark.parametrize(
    ("hint", "code", "level", "value"),
    [
        ("E21D 11/00", "E21D 11/04", "group", 1.0),
        ("E21D 11/00", "E21D 21/00", "subclass", W.ipc_level_subclass),
        ("E21D 11/00", "E21B 7/00", "class", W.ipc_level_class),
        ("E21D 11/00", "H01M 4/00", None, 0.0),
        ("E21D", "E21D 21/00", "subclass", 1.0),  # the hint's deepest level counts in full
        ("E21D", "E21B 7/00", "class", W.ipc_level_class / W.ipc_level_subclass),
        ("E21", "E21B 7/00", "class", 1.0),
    ],
)
def test_ipc_agreement_levels(hint, code, level, value):
    got_value, got_level, _ = signals.ipc_agreement([parse_ipc(hint)], [parse_ipc(code)], W)
    assert got_level == level
    assert got_value == pytest.approx(value)


def test_ipc_agreement_takes_the_best_pair():
    hints = [parse_ipc("H01M"), parse_ipc("E21D 11/00")]
    codes = [parse_ipc("A01B 1/00"), parse_ipc("E21D 11/02")]
    assert signals.ipc_agreement(hints, codes, W)[:2] == (1.0, "group")


def test_ipc_inference_from_best_matches():
    codes = [(parse_ipc("E21D 11/00"),), (parse_ipc("E21D 21/00"),), (parse_ipc("H01M 4/00"),)]
    inferred = signals.infer_ipc(codes, np.array([0.5, 0.4, 0.1]), W)
    assert [h.subclass for h in inferred] == ["E21D"]
    assert signals.infer_ipc([(), ()], np.array([0.5, 0.4]), W) == []


def test_industry_agreement():
    assert signals.industry_agreement("coal", [["coal"], ["cashmere"], []]).tolist() == [1.0, 0.0, 0.0]
    assert signals.industry_agreement(None, [["coal"]]).tolist() == [0.0]


def test_structure_factor_is_neutral_without_demand_signals():
    f = signals.structure_factor(
        np.array([0.0, 1.0]), np.array([1.0, 0.0]), ipc_weight=0.0, has_industry=False, weights=W
    )
    assert f.tolist() == [1.0, 1.0]
    f = signals.structure_factor(
        np.array([0.0, 1.0]), np.zeros(2), ipc_weight=0.25, has_industry=False, weights=W
    )
    assert f[1] == 1.0
    assert f[0] == pytest.approx(1 / 1.25)


def test_availability_rules():
    active = np.array([True, True, True, True, False, True])
    masks = np.array([2, 1, 0, 2, 2, 2])  # license, transfer, unknown, license, license, license
    prices = np.array([30.0, 30.0, 30.0, 200.0, 30.0, math.nan])
    license_mask = 2
    f = signals.availability(active, masks, prices, license_mask, 100.0, W)
    assert f[0] == 1.0  # wanted kind, within budget
    assert f[1] == W.deal_kind_mismatch  # only transfer offered
    assert f[2] == 1.0  # deal kinds unknown: no penalty
    assert f[3] == pytest.approx(max(W.over_budget_floor, 100 / 200))  # over budget
    assert f[4] == 0.0  # not in force / not listed
    assert f[5] == 1.0  # price unknown
    assert signals.price_factor(np.array([1000.0]), None, W).tolist() == [1.0]  # no budget
    assert signals.price_factor(np.array([1000.0]), 10.0, W).tolist() == [W.over_budget_floor]
    assert signals.deal_factor(np.array([1]), 0, W).tolist() == [1.0]  # demand names no kind


def test_boosts():
    no = np.array([False])
    yes = np.array([True])
    plain = signals.boost_factor(no, no, no, no, False, W)[0]
    assert signals.boost_factor(yes, no, no, no, False, W)[0] > plain  # dormant
    assert signals.boost_factor(no, yes, no, no, False, W)[0] > plain  # open license
    assert signals.boost_factor(no, no, yes, no, False, W)[0] > plain  # use first, pay later
    # Agricultural patents are favoured only for demands from county-level districts.
    assert signals.boost_factor(no, no, no, yes, False, W)[0] == plain
    assert signals.boost_factor(no, no, no, yes, True, W)[0] > plain
    assert signals.boost_factor(yes, yes, yes, yes, True, W)[0] == pytest.approx(1.0)


# --------------------------------------------------------------------------------------------
# Scoring


def test_scores_in_unit_range_and_sorted(index):
    for matches in score_demands(index, DEMANDS, top_n=10):
        scores = [m.score for m in matches]
        assert all(0.0 <= s <= 1.0 for s in scores)
        assert scores == sorted(scores, reverse=True)
        assert len({m.application_no for m in matches}) == len(matches)


def test_relevant_patents_rank_first(index):
    results = score_demands(index, DEMANDS, top_n=3)
    assert results[0][0].application_no == "202010000001.1"  # roadway support, dormant, in budget
    assert results[1][0].application_no == "202010000003.3"  # cashmere carding
    assert results[2][0].application_no == "202010000004.4"  # potato planting
    assert results[3][0].application_no == "202010000006.6"  # succinic acid
    assert results[4][0].application_no == "202010000005.5"  # lithium battery cathode
    assert results[5] == []  # nothing shares a term


def test_not_in_force_or_unlisted_patents_are_never_matched(index):
    seen = {m.application_no for ms in score_demands(index, DEMANDS, top_n=10) for m in ms}
    assert "202010000007.7" not in seen  # not in force
    assert "202010000008.8" not in seen  # not listed


def test_reasons_text(index):
    best = score_demand(index, DEMANDS[0], top_n=1)[0]
    reasons = list(best.reasons)
    assert reasons[0].startswith("共同关键词：")
    terms = reasons[0].split("：", 1)[1].split("、")
    assert {"煤矿", "支护"} <= set(terms) or {"巷道", "支护"} <= set(terms)
    assert "IPC 同小类 E21D" in reasons
    assert "同属产业：coal" in reasons
    assert "提供许可，价格在预算内" in reasons
    assert "沉睡专利，优先推荐" in reasons


def test_reasons_for_other_terms(index):
    results = score_demands(index, DEMANDS, top_n=1, industry_names={"cashmere": "羊绒"})
    assert "同属产业：羊绒" in results[1][0].reasons
    assert "开放许可" in results[1][0].reasons
    assert "涉农专利，适合县域中小企业" in results[2][0].reasons
    succinic = results[3][0]
    assert succinic.reasons[0] == "共同关键词：丁二酸"
    assert "交易方式不符（仅提供转让），报价高于预算" in succinic.reasons
    assert "先用后付" in results[4][0].reasons


def test_inferred_ipc_is_labelled(index):
    d = demand("D7", "巷道支护", "煤矿巷道锚杆支护")
    best = score_demand(index, d, top_n=1)[0]
    assert any(r.startswith("IPC 同") and r.endswith("（据文本推断）") for r in best.reasons)


def test_signals_shape_the_score(index):
    base = demand("X", "煤矿巷道支护", "煤矿巷道支护技术")
    text_only = {m.application_no: m for m in score_demand(index, base, top_n=10)}
    priced = {
        m.application_no: m
        for m in score_demand(
            index, demand("X", "煤矿巷道支护", "煤矿巷道支护技术", budget_max=Decimal("10")), top_n=10
        )
    }
    # Both roadway patents ask more than 10: their scores drop, the order by text stays.
    for no in ("202010000001.1", "202010000002.2"):
        assert priced[no].score < text_only[no].score
    # A dormant patent gets the dormant boost on top of its text score.
    assert (
        dict(text_only["202010000001.1"].signals)["boost"]
        > dict(text_only["202010000002.2"].signals)["boost"]
    )


def test_missing_signals_do_not_change_text_ranking():
    bare = [
        PatentDoc(id=p.id, application_no=p.application_no, title=p.title, abstract=p.abstract)
        for p in CORPUS
    ]
    idx = build_index(bare)
    plain = [demand(d.code, d.title, d.description, deal_kinds=set()) for d in DEMANDS]
    for d, matches in zip(plain, score_demands(idx, plain, top_n=10), strict=True):
        texts = [dict(m.signals)["text"] for m in matches]
        assert texts == sorted(texts, reverse=True), d.code


def test_ties_are_broken_by_application_number():
    twins = [
        patent(1, "202010000009.9", "一种煤矿巷道支护装置", "煤矿巷道支护装置。"),
        patent(2, "202010000003.3", "一种煤矿巷道支护装置", "煤矿巷道支护装置。"),
        patent(3, "202010000005.5", "一种煤矿巷道支护装置", "煤矿巷道支护装置。"),
    ]
    idx = build_index(twins)
    matches = score_demand(idx, demand("T", "煤矿巷道支护"), top_n=2)
    assert [m.application_no for m in matches] == ["202010000003.3", "202010000005.5"]
    assert matches[0].score == matches[1].score


def test_determinism_across_chunkings(index):
    demands = DEMANDS * 3
    reference = score_demands(index, demands, top_n=5)
    for batch_size in (1, 2, 7, 100):
        assert score_demands(index, demands, top_n=5, batch_size=batch_size) == reference
    # Split as Celery chunks would be, in another order, then reassembled.
    parts = [score_demands(index, demands[i : i + 4], top_n=5) for i in range(0, len(demands), 4)]
    assert [m for part in parts for m in part] == reference
    reordered = score_demands(index, list(reversed(demands)), top_n=5)
    assert list(reversed(reordered)) == reference
    assert [score_demand(index, d, top_n=5) for d in demands] == reference


def test_save_load_round_trip(index, tmp_path):
    path = index.save(tmp_path / "idx")
    loaded = PatentIndex.load(path)
    assert loaded.version == "test"
    assert len(loaded) == len(index)
    assert score_demands(loaded, DEMANDS, top_n=10) == score_demands(index, DEMANDS, top_n=10)
    # Saving again over the same directory replaces it atomically.
    index.save(path)
    assert score_demands(PatentIndex.load(path, mmap=False), DEMANDS, top_n=10) == score_demands(
        index, DEMANDS, top_n=10
    )


def test_load_or_build_is_keyed_by_version(tmp_path, monkeypatch):
    monkeypatch.setattr(index_module, "_LOADED", {})
    calls = []

    def patents():
        calls.append(1)
        return CORPUS

    v = corpus_version(CORPUS)
    first = load_or_build(tmp_path, v, patents)
    assert calls == [1]
    assert (index_dir(tmp_path, v) / "meta.json").exists()
    assert load_or_build(tmp_path, v, patents) is first  # warm, in this process
    monkeypatch.setattr(index_module, "_LOADED", {})
    again = load_or_build(tmp_path, v, patents)  # from disk, not rebuilt
    assert calls == [1]
    assert score_demands(again, DEMANDS) == score_demands(first, DEMANDS)
    assert corpus_version(CORPUS[:-1]) != v
    assert index_dir(tmp_path, v) != index_dir(tmp_path, v, Weights(field_title=5.0))


def test_subset_scores_equal_full_run_scores(index):
    full = score_demands(index, DEMANDS, top_n=20)
    subset_ids = [2, 3, 6]
    sub = score_new_patents(index, DEMANDS, subset_ids, top_n=20)
    numbers = {p.application_no for p in CORPUS if p.id in subset_ids}
    for f, s in zip(full, sub, strict=True):
        assert s == [m for m in f if m.application_no in numbers]


def test_merge_matches():
    a = score_demands(build_index(CORPUS), DEMANDS[:1], top_n=10)[0]
    merged = merge_matches(a[1:], a[:1], top_n=2)
    assert merged == a[:2]


def test_extend_adds_and_replaces(index):
    new = patent(9, "202010000010.1", "一种羊绒分梳机", "一种羊绒分梳机，提高羊绒分梳效率。")
    replaced = patent(3, "202010000003.3", "一种棉花打包机", "棉花打包机。")
    bigger = index.extend([new, replaced])
    assert len(bigger) == len(index) + 2
    top = score_demand(bigger, DEMANDS[1], top_n=5)
    numbers = [m.application_no for m in top]
    assert numbers[0] == "202010000010.1"
    assert numbers.count("202010000003.3") <= 1
    only_new = score_new_patents(bigger, [DEMANDS[1]], [9], top_n=5)[0]
    assert [m.application_no for m in only_new] == ["202010000010.1"]
    gone = bigger.without([9])
    assert "202010000010.1" not in [m.application_no for m in score_demand(gone, DEMANDS[1])]


def test_empty_inputs(index):
    assert score_demands(index, []) == []
    assert score_demand(index, demand("E", "", "")) == []
    assert score_demand(index, DEMANDS[0], top_n=0) == []
    empty = build_index([])
    assert len(empty) == 0
    assert score_demand(empty, DEMANDS[0]) == []


def test_weights_overrides():
    w = get_weights({"dormant_boost": 0.3})
    assert w.dormant_boost == 0.3
    assert get_weights(w) is w
    with pytest.raises(ValueError, match="unknown matching weight"):
        get_weights({"dormant_bost": 0.3})
    assert Weights().index_key() == Weights(dormant_boost=0.9).index_key()  # query-time weight
    assert Weights().index_key() != Weights(field_title=1.0).index_key()  # index weight


def test_weights_from_django_settings(settings):
    settings.MATCHING_WEIGHTS = {"open_license_boost": 0.2}
    assert get_weights().open_license_boost == 0.2
    assert get_weights({"open_license_boost": 0.1}).open_license_boost == 0.1
