#!/usr/bin/env python3
"""The benchmark: kpiroll, the floor and the Python peer, side by side.

    python3 bench/run.py data [--scales S,M,L]          # just bench-data
    python3 bench/run.py run  [--scales S,M,L] [--runs 5] [--strict]   # just bench

`data` writes the seeded workloads with examples/bench_data.rs into target/bench/<scale>/
and last year's book `prev.xlsx` with `kpiroll consolidate --year R6` (its row count is
checked against expected.json). `run` times, for each scale, in one run:

- kpiroll: `kpiroll consolidate --year R7 --prev prev.xlsx returns -o …` (the whole
  process; median wall time of --runs runs, CPU time, peak RSS from /usr/bin/time -v);
  its counts (rows read, last year's rows, new, not returned, changed), parsed from its
  stderr summary, must be exactly the ones in expected.json;
- the floor (examples/floor.rs): every cell of every input read with calamine, as many
  rows as the book has written with rust_xlsxwriter;
- kpiroll again on a terminal (util-linux `script`), so its progress bar is drawn, and
  in the same wrapper with stderr sent away (no bar): the bar's cost, side by side;
- the peer (bench/peer.py): the same consolidation with pandas (python-calamine) and
  xlsxwriter; fewer runs (it is slow), its counts shown beside.

It prints a table (seconds, MiB, kpiroll/floor, peer/kpiroll, µs per row) and writes it
to target/bench/results.md and results.json. Exit status 1 when a count is wrong; with
--strict also when a target (BENCHMARKS.md) is missed (M and L: kpiroll ≤ 1.5× the floor,
≥ 10× faster than the peer; L: peak memory ≤ 1 GiB). Binaries are taken from
$CARGO_TARGET_DIR/release (the justfile builds them first), or from BENCH_BIN_DIR.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
# the binaries: $CARGO_TARGET_DIR/release, or a folder of copies (BENCH_BIN_DIR) that a
# build running beside the benchmark cannot replace halfway
BIN = os.environ.get("BENCH_BIN_DIR") or os.path.join(TARGET, "release")
KPIROLL = os.path.join(BIN, "kpiroll")
FLOOR = os.path.join(BIN, "examples", "floor")
GENERATOR = os.path.join(BIN, "examples", "bench_data")
PEER = os.path.join(ROOT, "bench", "peer.py")
TIME = "/usr/bin/time"
# util-linux `script` gives kpiroll a terminal, so its progress bar is drawn: the
# benchmark times that too, to show the bar costs nothing measurable
SCRIPT = shutil.which("script")

SUMMARY_PREV = re.compile(r"前年度 (\d+) 行と突き合わせ: 新規 (\d+) 行、未提出 (\d+) 行、変更のある行 (\d+) 行")
SUMMARY_READ = re.compile(
    r"(\d+) ファイル (\d+) 行を読み、(\d+) 行を取り込み、(\d+) 行は同じ行と統合、(\d+) 行は取り込めませんでした")
COUNTS = ["files", "rows_read", "prev_rows", "new", "not_returned", "changed"]


def timed(cmd, stdout_path=None):
    """Runs cmd under /usr/bin/time -v: (wall s, cpu s, peak MiB, exit, stdout, stderr)."""
    env = dict(os.environ)
    env.pop("KPIROLL_LANG", None)
    env.pop("KPIROLL_TEMPLATES", None)
    has_time = os.access(TIME, os.X_OK)
    full = [TIME, "-v"] + cmd if has_time else cmd
    start = time.perf_counter()
    p = subprocess.run(full, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    err = p.stderr
    rss, cpu = float("nan"), float("nan")
    if has_time:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
        rss = int(m.group(1)) / 1024 if m else rss
        u = re.search(r"User time \(seconds\): ([\d.]+)", err)
        s = re.search(r"System time \(seconds\): ([\d.]+)", err)
        if u and s:
            cpu = float(u.group(1)) + float(s.group(1))
        err = err[: err.rfind("\tCommand being timed")] if "\tCommand being timed" in err else err
    return wall, cpu, rss, p.returncode, p.stdout, err


def kpiroll_counts(stderr):
    prev = SUMMARY_PREV.search(stderr)
    read = SUMMARY_READ.search(stderr)
    if not (prev and read):
        return None
    files, rows_read, taken, merged, refused = map(int, read.groups())
    prev_rows, new, gone, changed = map(int, prev.groups())
    return {"files": files, "rows_read": rows_read, "prev_rows": prev_rows, "new": new,
            "not_returned": gone, "changed": changed, "refused": refused}


def need(path, what):
    if not os.access(path, os.X_OK):
        sys.exit(f"{path} is missing: build it first ({what})")


def data(args):
    need(GENERATOR, "cargo build --release --example bench_data")
    need(KPIROLL, "cargo build --release")
    scales = args.scales.split(",")
    subprocess.run([GENERATOR, args.out] + scales, check=True)
    for s in scales:
        d = os.path.join(args.out, s)
        expected = json.load(open(os.path.join(d, "expected.json")))
        cmd = [KPIROLL, "consolidate", "--force", "--year", "R6", os.path.join(d, "prev-src"),
               "-o", os.path.join(d, "prev.xlsx")]
        wall, _, rss, code, _, err = timed(cmd)
        m = SUMMARY_READ.search(err)
        taken = int(m.group(3)) if m else -1
        ok = code == 0 and taken == expected["prev_rows"]
        print(f"{s}: last year's book prev.xlsx, {taken} rows "
              f"(expected {expected['prev_rows']}) in {wall:.1f} s, {rss:.0f} MiB"
              + ("" if ok else f"  WRONG (exit {code})\n{err[-2000:]}"))
        if not ok:
            return 1
    return 0


def have_peer():
    try:
        import pandas  # noqa: F401
        import python_calamine  # noqa: F401
        import xlsxwriter  # noqa: F401
        return True
    except ImportError:
        return False


def run(args):
    need(KPIROLL, "cargo build --release")
    need(FLOOR, "cargo build --release --example floor")
    peer_ok = have_peer()
    if not peer_ok:
        print("the peer is skipped: pip install pandas python-calamine xlsxwriter", file=sys.stderr)
    results, failures, missed = [], [], []
    for s in args.scales.split(","):
        d = os.path.join(args.out, s)
        if not os.path.exists(os.path.join(d, "prev.xlsx")):
            print(f"{s}: no data in {d} (run `just bench-data {s}`)", file=sys.stderr)
            failures.append(f"{s}: no data")
            continue
        expected = json.load(open(os.path.join(d, "expected.json")))
        out = os.path.join(d, "out")
        os.makedirs(out, exist_ok=True)
        kp_cmd = [KPIROLL, "consolidate", "--force", "--year", "R7", "--prev",
                  os.path.join(d, "prev.xlsx"), os.path.join(d, "returns"),
                  "-o", os.path.join(out, "kpiroll.xlsx")]
        fl_cmd = [FLOOR, "--rows", str(expected["book_rows"]), "-o",
                  os.path.join(out, "floor.xlsx"), os.path.join(d, "prev.xlsx"),
                  os.path.join(d, "returns")]
        runs = args.runs if s != "L" else max(1, min(args.runs, args.runs_l))
        kp, fl, tty, quiet = [], [], [], []
        counts = None
        for i in range(runs):  # interleaved, so both see the same machine
            w, c, r, code, _, err = timed(kp_cmd)
            kp.append((w, c, r))
            counts = kpiroll_counts(err)
            if code != 0 or counts is None:
                failures.append(f"{s}: kpiroll exit {code}: {err[-500:]}")
            w, c, r, code, _, err = timed(fl_cmd)
            fl.append((w, c, r))
            if code != 0:
                failures.append(f"{s}: floor exit {code}: {err[-500:]}")
            if SCRIPT:
                # on a terminal, the bar drawn; and the same wrapper with stderr sent
                # away (no bar), so the two differ only by the bar
                w, c, r, code, _, _ = timed([SCRIPT, "-qec", shlex.join(kp_cmd), "/dev/null"])
                if code == 0:
                    tty.append((w, c, r))
                w, c, r, code, _, _ = timed(
                    [SCRIPT, "-qec", shlex.join(kp_cmd) + " 2>/dev/null", "/dev/null"])
                if code == 0:
                    quiet.append((w, c, r))
            print(f"{s} run {i + 1}/{runs}: kpiroll {kp[-1][0]:.2f} s, floor {fl[-1][0]:.2f} s"
                  + (f", on a terminal with its bar {tty[-1][0]:.2f} s, without {quiet[-1][0]:.2f} s"
                     if tty and quiet else ""),
                  file=sys.stderr)
        wrong = []
        for k in COUNTS:
            got = counts.get(k) if counts else None
            if got != expected[k]:
                wrong.append(f"{k} {got} ≠ {expected[k]}")
        if counts and counts.get("refused"):
            wrong.append(f"refused {counts['refused']} ≠ 0")
        if wrong:
            failures.append(f"{s}: counts wrong: " + ", ".join(wrong))
        pe, peer_counts = [], None
        if peer_ok:
            pruns = args.peer_runs if s != "L" else 1
            for _ in range(pruns):
                w, c, r, code, stdout, err = timed(
                    [sys.executable, PEER, "--prev", os.path.join(d, "prev.xlsx"), "-o",
                     os.path.join(out, "peer.xlsx"), os.path.join(d, "returns")])
                if code != 0:
                    failures.append(f"{s}: peer exit {code}: {err[-500:]}")
                    break
                pe.append((w, c, r))
                peer_counts = json.loads(stdout.strip().splitlines()[-1])
                print(f"{s} peer: {w:.2f} s", file=sys.stderr)
        med = lambda xs, i: statistics.median(x[i] for x in xs) if xs else float("nan")  # noqa: E731
        top = lambda xs: max(x[2] for x in xs) if xs else float("nan")  # noqa: E731
        row = {
            "scale": s, "files": expected["files"], "rows": expected["book_rows"],
            "runs": runs, "kpiroll_s": med(kp, 0), "kpiroll_cpu_s": med(kp, 1),
            "kpiroll_mib": top(kp), "floor_s": med(fl, 0), "floor_cpu_s": med(fl, 1),
            "floor_mib": top(fl), "peer_s": med(pe, 0), "peer_mib": top(pe),
            "counts_ok": not wrong, "counts": counts, "expected": expected,
            "peer_counts": peer_counts, "bar_s": med(tty, 0), "no_bar_s": med(quiet, 0),
        }
        row["kpiroll_per_floor"] = row["kpiroll_s"] / row["floor_s"]
        row["peer_per_kpiroll"] = row["peer_s"] / row["kpiroll_s"]
        row["us_per_row"] = row["kpiroll_s"] / row["rows"] * 1e6
        results.append(row)
        if s in ("M", "L"):
            if not row["kpiroll_per_floor"] <= 1.5:
                missed.append(f"{s}: kpiroll/floor {row['kpiroll_per_floor']:.1f}× > 1.5×")
            if peer_ok and not row["peer_per_kpiroll"] >= 10:
                missed.append(f"{s}: peer/kpiroll {row['peer_per_kpiroll']:.1f}× < 10×")
        if s == "L" and not row["kpiroll_mib"] <= 1024:
            missed.append(f"L: kpiroll peak {row['kpiroll_mib']:.0f} MiB > 1 GiB")

    table = render(results)
    print(table)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "results.md"), "w") as f:
        f.write(table + "\n")
    with open(os.path.join(args.out, "results.json"), "w") as f:
        json.dump(results, f, indent=2, ensure_ascii=False)
    for m in missed:
        print(f"target missed: {m}")
    for f in failures:
        print(f"FAILED: {f}")
    if not missed and not failures:
        print("every target met, every count exact")
    return 1 if failures or (args.strict and missed) else 0


def render(results):
    lines = [
        "| scale | files | book rows | kpiroll s (cpu s) | MiB | bar / no bar s | floor s (cpu s) "
        "| MiB | peer s | MiB | kpiroll/floor | peer/kpiroll | kpiroll µs/row | counts |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['scale']} | {r['files']:,} | {r['rows']:,} "
            f"| {r['kpiroll_s']:.2f} ({r['kpiroll_cpu_s']:.2f}) | {r['kpiroll_mib']:.0f} "
            f"| {r['bar_s']:.2f} / {r['no_bar_s']:.2f} "
            f"| {r['floor_s']:.2f} ({r['floor_cpu_s']:.2f}) | {r['floor_mib']:.0f} "
            f"| {r['peer_s']:.2f} | {r['peer_mib']:.0f} "
            f"| {r['kpiroll_per_floor']:.1f}× | {r['peer_per_kpiroll']:.1f}× "
            f"| {r['us_per_row']:.0f} | {'exact' if r['counts_ok'] else 'WRONG'} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=["data", "run"])
    ap.add_argument("--scales", default="S,M")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--runs", type=int, default=5, help="kpiroll and floor runs per scale")
    ap.add_argument("--runs-l", type=int, default=3, help="at most this many at L")
    ap.add_argument("--peer-runs", type=int, default=3, help="peer runs at S and M (1 at L)")
    ap.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = ap.parse_args()
    return data(args) if args.what == "data" else run(args)


if __name__ == "__main__":
    sys.exit(main())
