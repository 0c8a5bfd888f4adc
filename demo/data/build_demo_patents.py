"""Rebuild demo_patents.jsonl (a development tool; the portal only reads the .jsonl).

    python demo/data/build_demo_patents.py /work/shared/eval/patents.csv

Real patents are picked by hand from the matching evaluation set (KPPatent-ZH, MIT licence; see
SOURCES.txt) with a plausible IPC main group and a title shortened where the source's is a run-on
sentence; the ORIGINALS were written for the demo. Abstracts and claims are cut at a sentence end.
"""

import csv
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from demo_originals import ORIGINALS  # noqa: E402

# industry, IPC, evaluation-set application number, title (None: the source's)
PICKS = [
    ("coal", "E21D 11/00", "201810201053.8", None),
    ("coal", "E21D 23/00", "201810200507.X", None),
    ("coal", "C10J 3/00", "201610200265.5", "一种风光-氢储能及煤化工联合生产系统"),
    ("coal", "C04B 28/00", "201510200924.0", "一种以钢渣-煤矸石为主要原料的板材"),
    ("coal", "E21D 15/00", "201910200268.2", None),
    ("coal", "E21B 37/00", "201510202274.3", None),
    ("coal", "E21C 41/00", "201510200000.0", None),
    ("coal", "E21F 16/00", "202010201889.5", None),
    ("coal", "E21D 9/00", "201810202457.9", None),
    ("coal", "E21D 20/00", "201610200343.1", "一种掘、护、锚平行作业工艺和系统"),
    ("coal", "C10B 53/00", "201510203648.3", None),
    ("coal", "C10L 3/10", "201510200594.5", "一种煤层气、天然气及医用尾气脱硫化氢装置"),
    ("equipment", "B25J 5/00", "201910201834.1", None),
    ("equipment", "B25J 9/16", "201610202803.4", None),
    ("equipment", "F15B 21/00", "201510203000.6", None),
    ("equipment", "B23K 9/095", "201510202940.3", None),
    ("equipment", "F16H 55/08", "201710201196.4", None),
    ("equipment", "B25J 13/08", "201910201558.9", None),
    ("equipment", "B23K 37/04", "201810201023.7", None),
    ("equipment", "B25J 11/00", "201910203574.1", None),
    ("electronics", "H03G 3/30", "201910200778.X", None),
    ("electronics", "H04B 1/38", "201510201512.9", None),
    ("electronics", "H04L 25/02", "202010203617.9", None),
    ("electronics", "H04B 15/00", "201510201692.0", None),
    ("electronics", "H02H 3/24", "201810203369.0", "一种用于LED灯具的欠压保护电路"),
    ("electronics", "H10F 71/00", "201810201287.2", "一种铜铟镓硒薄膜太阳能电池芯片的缓冲层及其制备方法"),
    ("electronics", "H10F 71/00", "201610203007.2", None),
    ("electronics", "H10F 19/80", "202010200845.0", None),
    ("electronics", "H01M 10/54", "201910201372.3", "一种锂离子电池废料的浸出方法及金属回收方法"),
    ("electronics", "H02S 20/26", "201810200771.3", None),
    ("electronics", "H01M 10/42", "201610202299.8", None),
    ("electronics", "H02J 7/00", "201910203454.1", None),
    ("electronics", "H01M 8/04", "201610200019.X", None),
    ("health", "A61J 7/00", "201710202102.5", None),
    ("health", "A61L 27/04", "202010201235.2", None),
    ("health", "A61L 15/00", "201810201197.3", None),
    ("health", "A61K 31/734", "201610201129.8", None),
    ("health", "A61K 31/365", "201810201791.2", "一种木脂素类化合物在制备抗肝纤维化药物中的应用"),
    ("health", "C12Q 1/68", "202010202543.7", "一种FoxM1基因突变的肽核酸探针检测试剂"),
    ("cashmere", "D06P 3/16", "201510201224.3", "一种羊毛分散染料染色助剂及其应用"),
    ("cashmere", "D06P 5/00", "201610200937.2", None),
    ("cashmere", "D06P 1/00", "201810202967.6", None),
    ("cashmere", "D02G 3/04", "201510201260.X", "一种涤纶、汉麻、竹浆纤维三组份混纺高支纱纺制工艺"),
    ("cashmere", "G01N 33/36", "201910201612.X", None),
    ("cashmere", "D04B 1/00", "201610201633.8", None),
    ("agriculture", "C05F 3/00", "201910200010.2", None),
    ("agriculture", "A01G 13/02", "202010200395.5", None),
    ("agriculture", "A01B 79/02", "201610201405.0", None),
    ("agriculture", "A01G 25/09", "201610201939.3", None),
    ("agriculture", "C09K 17/00; C05G 3/80", "201610201543.9", None),
    ("agriculture", "A01K 63/00", "201910203166.6", None),
]

LIMIT = 360


def clip(text: str, limit: int = LIMIT) -> str:
    text = re.sub(r"\s+", "", text or "")
    if len(text) <= limit:
        return text
    cut = max(text.rfind(ch, 0, limit) for ch in "。；")
    return text[: cut + 1] if cut > limit // 3 else text[:limit] + "。"


def clean_abstract(text: str) -> str:
    text = re.sub(r"\s+", "", text or "")
    start = text.find("本发明")
    if 0 < start < 30:  # page-footer debris before the abstract in the source
        text = text[start:]
    text = text.replace("‑", "-").replace("脱HS", "脱H2S")  # a subscript lost in the source
    return clip(text)


def main(csv_path: str) -> None:
    with open(csv_path, encoding="utf-8") as fh:
        rows = {r["application_no"]: r for r in csv.DictReader(fh)}
    out = []
    for industry, ipc, number, title in PICKS:
        row = rows[number]
        out.append(
            {
                "industry": industry,
                "title": title or row["title"].replace("‑", "-"),
                "abstract": clean_abstract(row["abstract"]),
                "claims": clip(row["claims"].split("2.")[0]) if row["claims"] else "",
                "ipc": ipc,
                "source": f"KPPatent-ZH (evaluation set {number})",
            }
        )
    for industry, ipc, title, abstract, claim in ORIGINALS:
        out.append(
            {
                "industry": industry,
                "title": title,
                "abstract": abstract,
                "claims": claim,
                "ipc": ipc,
                "source": "written for the demo",
            }
        )
    with open(HERE / "demo_patents.jsonl", "w", encoding="utf-8") as fh:
        for item in out:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(len(out), "patents")


if __name__ == "__main__":
    main(sys.argv[1])
