#!/usr/bin/env python3
"""Fills kpiroll's rollover forms the way a department would in Excel, with openpyxl
(a library other than the one that wrote them): type an actual into every 実績値 cell of
a row that has a key, and save a copy. Nothing else in the workbook is touched.

    python3 tests/support/fill_forms.py FORMS_DIR OUT_DIR

The actual typed for a row is its key's numbers joined (411-6 → 4116) plus its KPI
position, so a test can recompute it; a row whose reference (last year's) 実績値 was
"-" gets "-".
"""
import os
import sys

import openpyxl


def actual_for(key, kpi_index):
    first = key.split()[0].rstrip("他")
    return int(first.replace("-", "")) + kpi_index


def main(src, dst):
    os.makedirs(dst, exist_ok=True)
    for name in sorted(os.listdir(src)):
        if not name.endswith(".xlsx"):
            continue
        wb = openpyxl.load_workbook(os.path.join(src, name))
        ws = wb.worksheets[0]
        key_col = actual_col = ref_col = None
        last_key, kpi_index = None, 0
        for row in ws.iter_rows():
            texts = [c.value for c in row]
            if "事務事業番号" in texts:
                key_col = texts.index("事務事業番号")
                actual_col = next(i for i, t in enumerate(texts) if isinstance(t, str) and t.endswith("実績値"))
                ref_col = next(i for i, t in enumerate(texts) if isinstance(t, str) and t.endswith("（参考）"))
                last_key = None
                continue
            if key_col is None:
                continue
            key = row[key_col].value
            # merged project cells: openpyxl gives the value in the first row only
            kpi_text = row[key_col + 2].value
            if key is None and last_key is not None and kpi_text:
                kpi_index += 1
                key = last_key
            elif key is not None:
                last_key, kpi_index = str(key), 1
            else:
                continue
            ref = row[ref_col].value
            row[actual_col].value = "-" if ref == "-" else actual_for(str(key), kpi_index)
        wb.save(os.path.join(dst, name))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
