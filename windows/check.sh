#!/usr/bin/env bash
# `just windows-check`: kpiroll.exe under wine beside the Linux build, on the same
# inputs, in folders of their own; every file written is compared byte for byte, and
# what is printed is compared once Windows' `\` is read as `/`. Then what a clerk
# meets: a folder dropped onto kpiroll.exe (its report beside the folder), the PDF
# handout with and without LibreOffice under Program Files, --force over a book held
# open as Excel holds one (windows/hold-open.c), a double-click (started in its own
# folder as Explorer starts it; the page fetched, then driven through its routes as its
# script drives them, what it makes compared with the Linux command line's and left in
# kpiroll-web beside the exe; the exe ended at the end).
#
# Needs wine (Debian's `wine`, `wine64`), mingw (`gcc-mingw-w64-x86-64`) and curl; the
# wine prefix is kpiroll's own (KPIROLL_WINEPREFIX, default ~/.cache/kpiroll-wine).
# Wine 8 has no bcryptprimitives.dll, which Rust's standard library imports (every Rust
# program exits with status 53 without it): windows/bcryptprimitives.c stands in for
# it, built into the prefix. Usage: windows/check.sh [kpiroll.exe] [linux kpiroll]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
exe=$(realpath "${1:-target/windows/kpiroll.exe}")
linux=$(realpath "${2:-${CARGO_TARGET_DIR:-$HOME/.cache/kpiroll-target}/release/kpiroll}")
wine=${WINE:-/usr/lib/wine/wine64}
export WINEPREFIX=${KPIROLL_WINEPREFIX:-$HOME/.cache/kpiroll-wine}
export WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
# file names and wine's console in UTF-8; the messages in Japanese on both sides
export LC_ALL=C.UTF-8 KPIROLL_LANG=ja
unset LANG LC_MESSAGES KPIROLL_TEMPLATES

failures=0
pass() { echo "ok    $*"; }
fail() {
  echo "FAIL  $*"
  failures=$((failures + 1))
}
# same FILE1 FILE2 WHAT: byte for byte
same() { if cmp -s "$1" "$2"; then pass "$3"; else fail "$3 ($1 and $2 differ)"; fi; }

# the prefix, and the stand-in for the missing DLL
if [ ! -f "$WINEPREFIX/system.reg" ]; then
  echo "making the wine prefix $WINEPREFIX"
  wineboot --init >/dev/null 2>&1
  wineserver -w
fi
drive_c=$WINEPREFIX/drive_c
x86_64-w64-mingw32-gcc -O2 -shared -o "$drive_c/windows/system32/bcryptprimitives.dll" \
  windows/bcryptprimitives.c windows/bcryptprimitives.def -ladvapi32
office="$drive_c/Program Files/LibreOffice/program"
rm -rf "$drive_c/Program Files/LibreOffice"

work=$(mktemp -d /tmp/kpiroll-windows-check.XXXXXX)
trap 'wineserver -k 2>/dev/null || true; rm -rf "$work"' EXIT
returns="R7回答 [総務部] (2)"
inputs() { # DIR: the same inputs for both builds
  mkdir -p "$1/$returns"
  cp fixtures/R6/資料2-2_R6.txt fixtures/R7/renames.toml "$1/"
  cp fixtures/R7/returns/* "$1/$returns/"
  # the lock file Excel leaves beside a return it has open
  printf '\005clerk' >"$1/$returns/~\$市民課.xlsx"
}
inputs "$work/linux"
inputs "$work/windows"

# run SIDE NAME ARGS…: in the side's folder; stdout, stderr and the status kept as NAME.*
run() {
  local side=$1 name=$2
  shift 2
  local program=("$linux")
  [ "$side" = windows ] && program=(timeout 900 "$wine" "$exe")
  (cd "$work/$side" && "${program[@]}" "$@" >"$work/$name.$side.out" 2>"$work/$name.$side.err" </dev/null) &&
    echo 0 >"$work/$name.$side.status" || echo $? >"$work/$name.$side.status"
  # what Windows printed with its separators read as `/`; CRLF as LF
  if [ "$side" = windows ]; then
    for f in "$work/$name.$side.out" "$work/$name.$side.err"; do
      sed -i 's/\r$//; s#\\#/#g' "$f"
    done
  fi
}
# both NAME ARGS…: the same command on both sides, its status and printing compared
both() {
  local name=$1
  shift
  run linux "$name" "$@"
  run windows "$name" "$@"
  local status
  status=$(cat "$work/$name.linux.status")
  if [ "$status" = "$(cat "$work/$name.windows.status")" ]; then
    pass "$name: status $status on both"
  else
    fail "$name: status $status on Linux, $(cat "$work/$name.windows.status") under wine"
    sed 's/^/      /' "$work/$name.windows.err" | head -20
  fi
  same "$work/$name.linux.out" "$work/$name.windows.out" "$name: standard output"
  same "$work/$name.linux.err" "$work/$name.windows.err" "$name: standard error"
}

echo "kpiroll.exe: $exe ($(stat -c %s "$exe") bytes)"
echo "Linux build: $linux"

# 1. the demo: every file of its folder
both demo demo -o demo
(cd "$work/linux/demo" && find . -type f | sort) >"$work/demo.files.linux"
(cd "$work/windows/demo" && find . -type f | sort) >"$work/demo.files.windows"
same "$work/demo.files.linux" "$work/demo.files.windows" "demo: the same $(wc -l <"$work/demo.files.linux") files"
while read -r f; do
  same "$work/linux/demo/$f" "$work/windows/demo/$f" "demo: ${f#./}"
done <"$work/demo.files.linux"

# 2. consolidate: the seed, then the returns folder (Japanese, spaces, brackets, a lock file)
both r6 consolidate --year R6 資料2-2_R6.txt -o R6.xlsx
same "$work/linux/R6.xlsx" "$work/windows/R6.xlsx" "consolidate R6: R6.xlsx"
book="資料2-2 R7 (案).xlsx"
both r7 consolidate --year R7 --prev R6.xlsx --renames renames.toml "$returns" -o "$book"
same "$work/linux/$book" "$work/windows/$book" "consolidate R7: $book"
if grep -q '~\$' "$work/r7.windows.err" "$work/r7.windows.out"; then
  fail "consolidate R7: the lock file was read"
else
  pass "consolidate R7: the lock file passed over"
fi
both parquet export "$book" -o R7.parquet
same "$work/linux/R7.parquet" "$work/windows/R7.parquet" "export: R7.parquet"
both handout handout "$book" -o "議会 配布【R7】.xlsx"
same "$work/linux/議会 配布【R7】.xlsx" "$work/windows/議会 配布【R7】.xlsx" "handout: 議会 配布【R7】.xlsx"

# 3. check
both check check "$returns"

# 4. a folder dropped onto kpiroll.exe from C:\Users\…\デスクトップ: the report beside it,
#    the same text as Linux's check (its paths from the desktop folder); Enter closes;
#    the files Windows hides are not read
desktop="$drive_c/users/clerk/デスクトップ"
rm -rf "$drive_c/users/clerk"
mkdir -p "$desktop"
cp -r "$work/linux/$returns" "$desktop/R7回答"
(cd "$desktop" && "$linux" check R7回答 >"$work/drop.linux.out" 2>"$work/drop.linux.err") &&
  linux_status=0 || linux_status=$?
# what Windows hides in a folder (Linux's check did not see these): passed over too
printf '[.ShellClassInfo]\r\n' >"$desktop/R7回答/desktop.ini"
printf 'thumbs' >"$desktop/R7回答/Thumbs.db"
# (wine's attrib takes one mark per call)
for f in desktop.ini Thumbs.db; do
  "$wine" attrib +h "C:\\users\\clerk\\デスクトップ\\R7回答\\$f" >/dev/null
done
status=0
printf '\r\n' | timeout 900 "$wine" "$exe" 'C:\users\clerk\デスクトップ\R7回答' \
  >"$work/drop.console.out" 2>"$work/drop.console.err" || status=$?
report="$desktop/R7回答_確認結果.txt"
if [ "$status" = "$linux_status" ]; then pass "drop: status $status"; else fail "drop: status $status, Linux's check $linux_status"; fi
if [ -f "$report" ]; then
  pass "drop: the report beside the folder: ${report#"$drive_c/"}"
  if [ "$(head -c 3 "$report" | od -An -tx1 | tr -d ' ')" = efbbbf ] &&
    ! tail -c +4 "$report" | tr -d '\r' | cmp -s - <(tail -c +4 "$report"); then
    pass "drop: the report in UTF-8 with a byte-order mark, CRLF lines"
  else
    fail "drop: the report's encoding"
  fi
  { head -n -1 "$work/drop.linux.out"; cat "$work/drop.linux.err"; tail -n 1 "$work/drop.linux.out"; } >"$work/drop.expected"
  tail -c +4 "$report" | sed 's/\r$//; s#C:\\users\\clerk\\デスクトップ\\##g; s#\\#/#g' >"$work/drop.report"
  same "$work/drop.expected" "$work/drop.report" "drop: the report is check's text"
else
  fail "drop: no report at $report"
fi
for said in "ドロップされたものを確認しています: C:\\users\\clerk\\デスクトップ\\R7回答" \
  "確認結果を C:\\users\\clerk\\デスクトップ\\R7回答_確認結果.txt に保存しました" \
  "Enter キーを押すと、このウィンドウを閉じます"; do
  if grep -qF "$said" "$work/drop.console.err"; then pass "drop: the console says「$said」"; else fail "drop: the console does not say「$said」"; fi
done

# 5. the PDF handout: no LibreOffice (say: Excel), then one under Program Files
run windows pdf-none handout "$book" -o "議会 配布【R7】.xlsx" --force --pdf
if [ "$(cat "$work/pdf-none.windows.status")" = 2 ] &&
  grep -q "Excel で .*議会 配布【R7】.xlsx を開き" "$work/pdf-none.windows.err" &&
  ! grep -q apt-get "$work/pdf-none.windows.err"; then
  pass "handout --pdf without LibreOffice: status 2, open it in Excel and make the PDF there"
else
  fail "handout --pdf without LibreOffice: $(cat "$work/pdf-none.windows.err")"
fi
same "$work/linux/議会 配布【R7】.xlsx" "$work/windows/議会 配布【R7】.xlsx" "handout --pdf without LibreOffice: the handout written"
mkdir -p "$office"
x86_64-w64-mingw32-gcc -O2 -municode -o "$office/soffice.exe" windows/soffice-stand-in.c
run windows pdf-office handout "$book" -o "議会 配布【R7】.xlsx" --force --pdf
if [ "$(cat "$work/pdf-office.windows.status")" = 0 ] &&
  grep -q "^%PDF-1.4 stand-in" "$work/windows/議会 配布【R7】.pdf" 2>/dev/null; then
  pass "handout --pdf: C:\\Program Files\\LibreOffice\\program\\soffice.exe found and given the handout"
else
  fail "handout --pdf with LibreOffice under Program Files: $(cat "$work/pdf-office.windows.err")"
fi
rm -rf "$drive_c/Program Files/LibreOffice"

# 6. --force over a book held open as Excel holds one (windows/hold-open.c): refused,
#    the message says to close it in Excel; the book there and nothing else left
x86_64-w64-mingw32-gcc -O2 -municode -o "$work/windows/hold-open.exe" windows/hold-open.c
cp "$exe" "$work/windows/kpiroll.exe"
before=$(md5sum <"$work/windows/R6.xlsx")
status=0
(cd "$work/windows" && timeout 900 "$wine" hold-open.exe R6.xlsx kpiroll.exe consolidate --force \
  --year R6 資料2-2_R6.txt -o R6.xlsx >"$work/held.out" 2>"$work/held.err" </dev/null) || status=$?
sed -i 's/\r$//' "$work/held.err"
said=$(sed -n 's/^kpiroll: エラー: //p' "$work/held.err")
if [ "$status" = 2 ] &&
  grep -q "^R6.xlsx: 出力先のファイルを置き換えられません（.*）。Excel などで開いている場合は閉じてから、もう一度実行してください$" <<<"$said"; then
  pass "a book open in Excel: status 2,「$said」"
else
  fail "a book open in Excel: status $status: $(cat "$work/held.err")"
fi
rm -f "$work/windows/hold-open.exe" "$work/windows/kpiroll.exe"
if [ "$(md5sum <"$work/windows/R6.xlsx")" = "$before" ] && ! ls -a "$work/windows" | grep -q '^\.kpiroll-'; then
  pass "a book open in Excel: left as it was, no temporary file left"
else
  fail "a book open in Excel: changed, or a temporary file left: $(ls -a "$work/windows")"
fi

# 7. a double-click: no arguments, the local web page by the `serve` command's name; the
#    browser wine would start records the address instead; the page fetched from Linux
#    (wine's sockets are the host's)
if ! "$linux" serve --help >/dev/null 2>&1; then
  # a build without the page: the dispatch to it by name, seen refused
  status=0
  timeout 900 "$wine" "$exe" </dev/null >"$work/click.out" 2>"$work/click.err" || status=$?
  if grep -qF "kpiroll の作業ページ（このパソコンの中だけで動くウェブページ）を起動します。" "$work/click.err" &&
    grep -qF "'serve'" "$work/click.err" && grep -qF "Enter キーを押すと" "$work/click.err" && [ "$status" = 2 ]; then
    pass "double-click: \`kpiroll serve\` asked for by name (not in this build: status 2, the console waits for Enter)"
  else
    fail "double-click: status $status: $(cat "$work/click.err")"
  fi
else
  printf '#!/bin/sh\necho "$1" >>"%s/opened"\n' "$work" >"$work/browser"
  chmod +x "$work/browser"
  "$wine" reg add 'HKCU\Software\Wine\WineBrowser' /v Browsers /d "$work/browser" /f >/dev/null
  # Explorer starts a double-clicked program in its own folder: a copy beside the
  # books, started there, so the runs' folder must appear beside it
  cp "$exe" "$work/windows/kpiroll.exe"
  (cd "$work/windows" && exec timeout 900 "$wine" "$work/windows/kpiroll.exe" </dev/null >"$work/click.out" 2>"$work/click.err") &
  clicked=$!
  url=
  for _ in $(seq 240); do
    url=$(grep -ao 'http://127\.0\.0\.1:[0-9]*/' "$work/click.err" | head -1 || true)
    [ -n "$url" ] || ! kill -0 "$clicked" 2>/dev/null && break
    sleep 0.5
  done
  if grep -qF "kpiroll の作業ページ（このパソコンの中だけで動くウェブページ）を起動します。" "$work/click.err" &&
    grep -qF "閉じるか Ctrl+C を押すと、作業ページは終わります" "$work/click.err"; then
    pass "double-click: the console says what starts and how to stop it"
  else
    fail "double-click: the console says: $(cat "$work/click.err")"
  fi
  if [ -n "$url" ] && curl -fsS --max-time 60 "$url" -o "$work/page.html" &&
    grep -q "<html" "$work/page.html"; then
    pass "double-click: $url serves the page ($(stat -c %s "$work/page.html") bytes)"
  else
    fail "double-click: no page (address「$url」): $(cat "$work/click.err")"
  fi
  echo "      the console said:"
  sed 's/\r$//; s/^/        /' "$work/click.err"
  # the page's own requests, as its script sends them: the settings, then last year's
  # book, the renames and the returns uploaded (a run: checked, the book made), then the
  # diff made; the book and the diff downloaded, each the Linux command line's
  if [ -n "$url" ]; then
    api() { curl -fsS --max-time 600 -H 'x-kpiroll: 1' "$@"; }
    if curl -fsS --max-time 60 "${url}api/settings" -o "$work/settings.json" &&
      grep -q '^{' "$work/settings.json"; then
      pass "double-click: GET /api/settings answers JSON"
    else
      fail "double-click: GET /api/settings"
    fi
    upload=(-F year=R7 -F "prev=@$work/windows/R6.xlsx;filename=R6.xlsx"
      -F "renames=@$work/windows/renames.toml;filename=renames.toml")
    for f in fixtures/R7/returns/*; do
      upload+=(-F "returns=@$f;filename=\"returns/$(basename "$f")\"")
    done
    run_id=
    if api "${upload[@]}" "${url}api/runs" -o "$work/run.json"; then
      run_id=$(grep -o '"run" *: *"[^"]*"' "$work/run.json" | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
    fi
    mkdir -p "$work/linux/page"
    (cd "$work/linux" && "$linux" consolidate --year R7 --prev R6.xlsx --renames renames.toml \
      "$root/fixtures/R7/returns" -o page/R7.xlsx >/dev/null 2>&1 &&
      "$linux" diff R6.xlsx page/R7.xlsx --renames renames.toml -o page/差分_R6_R7.xlsx \
        >/dev/null 2>&1) || fail "double-click: the Linux command line's book and diff"
    if [ -n "$run_id" ] && grep -q '"refusals" *: *0' "$work/run.json" &&
      curl -fsS --max-time 60 "${url}api/runs/$run_id/files/R7.xlsx" -o "$work/page-R7.xlsx"; then
      pass "double-click: POST /api/runs checked $(ls fixtures/R7/returns | wc -l) returns uploaded, nothing refused"
      same "$work/linux/page/R7.xlsx" "$work/page-R7.xlsx" "double-click: the page's R7.xlsx is the command line's"
      if [ -f "$work/windows/kpiroll-web/$run_id/out/R7.xlsx" ]; then
        pass "double-click: the run's book in kpiroll-web\\$run_id\\out beside kpiroll.exe"
      else
        fail "double-click: no kpiroll-web\\$run_id\\out\\R7.xlsx beside kpiroll.exe: $(ls "$work/windows")"
      fi
    else
      fail "double-click: the run: $(head -c 400 "$work/run.json" 2>/dev/null)"
    fi
    if [ -n "$run_id" ] && api -X POST "${url}api/runs/$run_id/make/diff" -o "$work/made.json" &&
      grep -q '"name" *: *"差分_R6_R7.xlsx"' "$work/made.json" &&
      curl -fsS --max-time 60 "${url}api/runs/$run_id/files/%E5%B7%AE%E5%88%86_R6_R7.xlsx" \
        -o "$work/page-diff.xlsx"; then
      same "$work/linux/page/差分_R6_R7.xlsx" "$work/page-diff.xlsx" "double-click: the page's 差分_R6_R7.xlsx is the command line's"
    else
      fail "double-click: the diff: $(cat "$work/made.json" 2>/dev/null)"
    fi
  fi
  for _ in $(seq 60); do
    [ -s "$work/opened" ] && break
    sleep 0.5
  done
  if [ -n "$url" ] && grep -qxF "$url" "$work/opened" 2>/dev/null; then
    pass "double-click: the browser was asked to open $url"
  else
    fail "double-click: the browser was not asked to open「$url」"
  fi
  wineserver -k 2>/dev/null || true
  wait "$clicked" 2>/dev/null || true
  "$wine" reg delete 'HKCU\Software\Wine\WineBrowser' /v Browsers /f >/dev/null 2>&1 || true
fi

echo
if [ "$failures" = 0 ]; then
  echo "windows-check: all passed"
else
  echo "windows-check: $failures failed"
  exit 1
fi
