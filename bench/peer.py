#!/usr/bin/env python3
"""The Python peer of the benchmark: `kpiroll consolidate --prev` as a planning
office's script would do it today, with pandas (python-calamine engine) and xlsxwriter.

    python3 bench/peer.py --prev prev.xlsx returns/ -o peer.xlsx

It does the same consolidation in the ordinary pandas way: every sheet of every return
read with read_excel, the header row found among the first 20 rows and mapped through
the same aliases, section rows giving the 基本目標, merged and "same as above" cells
forward-filled, the KPI position counted per project, last year's book read the same
way, an outer merge on (事務事業番号, KPI position), the change flags computed by meaning
(NFKC, `1,000` = `１，０００`, `96.4%` = `96.4` when 単位 is %), and a workbook written
with 一覧 (flags in 備考), 変更点 and 提出状況. It prints its counts as JSON on stdout.
Needs: pip install pandas python-calamine xlsxwriter
"""

import argparse
import json
import os
import re
import sys
import unicodedata

import pandas as pd

FIELDS = [
    "goal_targets", "measure_no", "measure", "measure_kpi", "departments", "project",
    "project_nos", "summary", "kpi", "unit", "target", "actual", "remarks",
]
ALIASES = {
    "goal_targets": ["数値目標", "基本目標の数値目標"],
    "measure_no": ["施策番号", "施策no", "no"],
    "measure": ["施策", "施策名", "具体的な施策", "基本的方向"],
    "measure_kpi": ["施策kpi", "施策のkpi", "kpi"],
    "departments": ["担当課", "所管課", "担当部署", "所管部署", "担当課名"],
    "project": ["事業名", "事務事業名"],
    "project_nos": ["事務事業番号", "事業番号", "事務事業no", "番号"],
    "summary": ["事業概要", "概要", "事業の概要", "事業内容"],
    "kpi": ["kpi", "事業kpi", "重要業績評価指標", "指標"],
    "unit": ["単位"],
    "target": ["目標値", "目標"],
    "remarks": ["備考", "摘要"],
}
ACTUAL = re.compile(r"^(?:実績値?)?\(?(?:r\d{1,2}|令和\d{1,2}|\d{4})(?:年度)?\)?(?:実績値?)?$|^実績値$")
GROUP = ["goal_targets", "measure_no", "measure", "measure_kpi"]
PROJECT = ["departments", "project", "project_nos", "summary"]
DASHES = dict.fromkeys(map(ord, "－−‐‑‒–—―ーｰ_"), "-")
NA = {"-", "—", "－", "―", "‐", "ー", "−", "–"}
SECTION = re.compile(r"^基本目標\s*(?P<no>[ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ]+|[0-9]+)\s*(?P<title>.*)$")


def norm_header(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))).lower()


def candidates(text):
    n = norm_header(text)
    if not n:
        return []
    found = [f for f in FIELDS if f in ALIASES and n in ALIASES[f]]
    if "実績" in n and ACTUAL.match(n.replace("実績値", "実績値")):
        found.append("actual")
    return found


def map_header(cells):
    """{column: field} for a header row given as [(column, text)]."""
    texts = {c: t for c, t in cells if isinstance(t, str) and t.strip()}
    kpi_cols = [c for c, t in texts.items() if norm_header(t) == "kpi"]
    mapping = {}
    for c, t in texts.items():
        found = candidates(t)
        if not found:
            continue
        if norm_header(t) == "kpi":
            field = "measure_kpi" if len(kpi_cols) == 2 and c == kpi_cols[0] else "kpi"
        else:
            field = found[0]
        if field not in mapping.values():
            mapping[c] = field
    if mapping:
        blanks = iter(f for f in ("measure_no", "measure") if f not in mapping.values())
        for c in range(min(mapping), max(mapping) + 1):
            if c not in texts and c not in mapping:
                f = next(blanks, None)
                if f:
                    mapping[c] = f
    return mapping


def read_table(df, file, sheet):
    """A sheet's rows below its header, one per KPI, or None when it has no table."""
    header = None
    for r in range(min(20, len(df))):
        row = df.iloc[r]
        if sum(1 for t in row if isinstance(t, str) and candidates(t)) >= 4:
            header = r
            break
    if header is None:
        return None
    mapping = map_header(list(enumerate(df.iloc[header])))
    body = df.iloc[header + 1:, sorted(mapping)].copy()
    body.columns = [mapping[c] for c in sorted(mapping)]
    for f in FIELDS:
        if f not in body.columns:
            body[f] = None
    body = body[FIELDS]
    body["row"] = range(header + 2, header + 2 + len(body))
    first = body["goal_targets"].astype("string")
    section = first.str.match(SECTION) & body["project_nos"].isna() & body["kpi"].isna()
    body["goal"] = first.where(section).ffill().fillna("")
    repeated = body["project_nos"].map(lambda t: isinstance(t, str) and "project_nos" in candidates(t))
    body = body[~section & ~repeated]
    body[GROUP] = body[GROUP].ffill()
    continuation = body["project_nos"].isna() & body["kpi"].notna()
    for f in PROJECT:
        body[f] = body[f].where(~continuation, body[f].ffill())
    body = body[body["project_nos"].notna() & (body["kpi"].notna() | body["target"].notna())]
    body = body.copy()
    body["key"] = body["project_nos"].map(
        lambda t: unicodedata.normalize("NFKC", str(t)).translate(DASHES).split()[0]
    )
    body["kpi_index"] = body.groupby("key").cumcount() + 1
    body["file"] = os.path.basename(file)
    body["sheet"] = sheet
    return body


def read_book(path):
    sheets = pd.read_excel(path, sheet_name=None, header=None, engine="calamine")
    tables = [read_table(df, path, name) for name, df in sheets.items()]
    tables = [t for t in tables if t is not None]
    return pd.concat(tables, ignore_index=True) if tables else None


def text_key(x):
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    return " ".join(unicodedata.normalize("NFKC", str(x)).split())


def number(x):
    """(kind, number) of a value cell, by meaning."""
    if x is None or (isinstance(x, float) and pd.isna(x)):
        return ("blank", None)
    if isinstance(x, (int, float)):
        return ("number", float(x))
    t = str(x).strip()
    if t in NA:
        return ("na", None)
    t = re.sub(r"\s+", "", unicodedata.normalize("NFKC", t)).replace(",", "")
    kind = "number"
    if t.endswith("%"):
        kind, t = "percent", t[:-1]
    t = t.replace("△", "-").replace("▲", "-")
    try:
        return (kind, float(t))
    except ValueError:
        return ("text", text_key(x))


def same_value(a, b, unit):
    (ka, na), (kb, nb) = number(a), number(b)
    if ka == kb:
        return na == nb
    if {ka, kb} == {"number", "percent"} and text_key(unit) in ("%", "パーセント"):
        return na == nb
    return False


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--prev", required=True)
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("inputs", nargs="+")
    args = ap.parse_args()

    files = []
    for i in args.inputs:
        if os.path.isdir(i):
            for root, _, names in os.walk(i):
                files += [os.path.join(root, n) for n in names
                          if n.endswith((".xlsx", ".xlsm")) and not n.startswith(("~$", "."))]
        else:
            files.append(i)
    files.sort()
    tables = [t for t in (read_book(f) for f in files) if t is not None]
    cur = pd.concat(tables, ignore_index=True)
    cur = cur.drop_duplicates(subset=["key", "kpi_index"])
    prev = read_book(args.prev)
    prev["order"] = range(len(prev))
    cur["cur_order"] = range(len(cur))

    m = prev.merge(cur, on=["key", "kpi_index"], how="outer", suffixes=("_6", ""), indicator=True)
    both = m["_merge"] == "both"
    changes = {}
    for f, word in [("departments", "課名変更"), ("project", "事業名変更"),
                    ("summary", "事業内容変更")]:
        changes[word] = both & (m[f + "_6"].map(text_key) != m[f].map(text_key))
    changes["KPI変更"] = both & (
        (m["kpi_6"].map(text_key) != m["kpi"].map(text_key))
        | (m["unit_6"].map(text_key) != m["unit"].map(text_key)))
    changes["目標値変更"] = both & ~pd.Series(
        [same_value(a, b, u) for a, b, u in zip(m["target_6"], m["target"], m["unit"])],
        index=m.index)
    changed = pd.concat(changes, axis=1).any(axis=1)

    new = m["_merge"] == "right_only"
    gone = m["_merge"] == "left_only"
    flags = pd.Series([""] * len(m), index=m.index, dtype=object)
    for word, mask in changes.items():
        flags = flags.where(~mask, flags + " " + word)
    flags = flags.where(~new, "新規").where(~gone, "未提出")
    own = m["remarks"].fillna("").astype(str).str.replace(r"^(KPI変更\s*)", "", regex=True)
    m["備考"] = (flags.str.strip() + " " + own).str.strip()
    for f in FIELDS:
        if f != "remarks":
            m[f] = m[f].where(~gone, m[f + "_6"]) if f + "_6" in m else m[f]
    m["sort"] = m["order"].fillna(len(m) + m["cur_order"])
    book = m.sort_values("sort")
    out = book[GROUP + ["departments", "project", "project_nos", "summary", "kpi", "unit",
                        "target", "actual", "備考"]]
    out.columns = ["数値目標", "施策番号", "施策", "施策KPI", "担当課", "事業名", "事務事業番号",
                   "事業概要", "KPI", "単位", "目標値", "R7実績値", "備考"]
    log = m[changed | new | gone][["key", "kpi_index", "project", "備考", "file"]]
    status = (book.assign(returned=~gone[book.index])
              .groupby("departments", dropna=False)
              .agg(expected=("order", "count"), received=("returned", "sum")).reset_index())
    with pd.ExcelWriter(args.output, engine="xlsxwriter") as w:
        out.to_excel(w, sheet_name="一覧", index=False)
        log.to_excel(w, sheet_name="変更点", index=False)
        status.to_excel(w, sheet_name="提出状況", index=False)
    print(json.dumps({
        "files": len(files), "rows_read": len(cur), "prev_rows": int((~new).sum()),
        "book_rows": len(m), "new": int(new.sum()), "not_returned": int(gone.sum()),
        "changed": int(changed.sum()),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
