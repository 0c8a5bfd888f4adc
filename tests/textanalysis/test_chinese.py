"""The shared Chinese text analysis: one tokeniser and one stop list for every app."""

import ast
import subprocess
import sys
from pathlib import Path

import textanalysis
from textanalysis import content_words, han_runs, normalize, query_units, stopwords, tokenize

PORTAL_APPS = {"portal", "patents", "demands", "matching", "finance", "reports"}


def test_normalize_folds_width_and_case():
    assert normalize("ＰＶＣ１２３ ＬｉＦｅ") == "pvc123 life"
    assert normalize(None) == "" and normalize("") == ""


def test_words_drop_boilerplate_single_characters_and_measurements():
    words = tokenize("本发明公开了一种煤矿巷道支护装置，包括锚杆，厚度为3mm的PVC管")
    assert {"煤矿", "巷道", "支护", "锚杆", "pvc"} <= set(words)
    assert not {"本发明", "公开", "一种", "包括", "装置"} & set(words)
    assert not any(w[0].isdigit() for w in words)
    assert tokenize("煤") == []  # one character is not a word


def test_patent_and_demand_boilerplate_share_one_list():
    stop = stopwords()
    assert {"本发明", "所述", "权利要求", "我公司", "寻求", "需求", "技术"} <= stop
    assert textanalysis.STOPWORDS_FILE.parent == Path(textanalysis.__file__).parent
    assert tokenize("我公司希望引进相关技术需求，寻求专利许可或转让") == []


def test_content_words_are_distinct_normalised_words():
    assert content_words("羊绒纺纱设备升级需求") == {"羊绒", "纺纱", "设备", "升级"}
    # Chemicals that differ by one character stay different words.
    assert content_words("三氧化二铁技术需求") != content_words("三氧化二铝技术需求")


def test_runs_and_units_stop_at_boilerplate():
    runs = han_runs(normalize("本发明公开了一种丁二酸的制备方法"))
    assert "丁二酸的制备" in runs and not any("本发明" in r for r in runs)
    assert "三烯丙酯" in query_units(normalize("需要三烯丙酯技术"))


def test_imports_no_portal_app():
    """A lower layer: nothing in textanalysis may import an app (statically or at run time)."""
    package = Path(textanalysis.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            else:
                continue
            assert not {name.split(".")[0] for name in names} & PORTAL_APPS, (path.name, names)
    code = (
        "import sys, textanalysis; textanalysis.tokenize('煤矿支护'); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {sorted(PORTAL_APPS)!r}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=package.parent
    )
    assert result.stdout.strip() == "[]"
