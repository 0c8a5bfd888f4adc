"""The search columns: NFKC text, the bigram codes the PostgreSQL index holds, the Latin part."""

from itertools import pairwise

import pytest

from patents.search import (
    bigram_code,
    bigram_codes,
    bigrams,
    build_search_bigram_codes,
    build_search_latin,
    build_search_text,
    query_terms,
)


def test_bigram_codes_are_the_codes_of_every_chinese_pair():
    text = build_search_text("一种煤矿巷道液压支护装置", "支护;液压", "LiFePO4 正极，乳酸菌。单", "测试大学")
    expected = {bigram_code(pair) for pair in bigrams(text)}
    assert bigram_codes(text) == expected
    assert bigram_code("煤矿") == ord("煤") + ord("矿") * 65536 in expected  # < 2**31
    assert bigram_code("方法") == ord("方") + ord("法") * 65536
    assert bigram_code("乳酸") == ord("乳") + ord("酸") * 65536 - 2**32  # the high bit set: negative
    assert bigram_code("正极") in expected and bigram_code("极乳") not in expected  # runs end at punctuation
    assert sorted(build_search_bigram_codes(text)) == sorted(expected)


@pytest.mark.parametrize("text", ["", "abc 123", "单", "，。", "ａｂｃ"])
def test_no_chinese_pair_no_code(text):
    assert bigram_codes(build_search_text(text)) == set() and build_search_bigram_codes(text) == []


def test_odd_and_even_runs_and_compatibility_ideographs():
    for run in ("煤矿", "煤矿巷", "煤矿巷道", "煤矿巷道液", "\ufa0e\ufa0f", "\u3400\u9fff\uf900"):
        text = build_search_text(run)
        assert bigram_codes(text) == {bigram_code(a + b) for a, b in pairwise(text)}


def test_latin_part_and_terms_are_normalised():
    text = build_search_text("ＬｉＦｅＰＯ４正极材料", "H01M 4/58")
    assert "lifepo4" in build_search_latin(text) and "正极" not in build_search_latin(text)
    assert query_terms("  煤矿　ＬｉＦｅ  ") == ["煤矿", "life"]
