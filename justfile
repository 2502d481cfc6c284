# Everyday recipes. `just` is optional: the README's commands do not need it.

export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", env_var("HOME") + "/.cache/kpiroll-target")

# list the recipes
default:
    @just --list

# the test suite (the README's test command)
test:
    cargo test --release

# what CI runs
ci: fmt-check lint test

fmt-check:
    cargo fmt --all -- --check

lint:
    cargo clippy --release --all-targets -- -D warnings

# the whole cycle on the bundled fixtures, into kpiroll-demo/
demo:
    cargo run --release -- demo

# regenerate the derived fixtures from the seed (fixtures/R6/資料2-2_R6.txt):
# the R6 book and its exports, into fixtures/R6/derived/
fixtures:
    mkdir -p fixtures/R6/derived
    cargo run --release -- consolidate --force --year R6 fixtures/R6/資料2-2_R6.txt -o fixtures/R6/derived/R6.xlsx
    cargo run --release -- export --force fixtures/R6/derived/R6.xlsx -o fixtures/R6/derived/R6.json

# regenerate the R7 returns (fixtures/R7/returns) from the seed, with one of every change
fixtures-r7:
    python3 fixtures/R7/make_returns.py

# regenerate the second city's R6 sheet and R7 returns (needs openpyxl)
fixtures-city2:
    python3 fixtures/city2/make_city2.py

# regenerate the ingest fixtures (fixtures/ingest/, see fixtures/README.md): the returns
# and broken files as .xlsx, then their .xls / .ods copies (LibreOffice) and the
# password-protected ones (msoffcrypto-tool: `pip install msoffcrypto-tool`; python3-uno)
fixtures-ingest:
    cargo run --release --example make_fixtures -- fixtures/ingest
    soffice -env:UserInstallation=file:///tmp/kpiroll-lo --headless --convert-to xls --outdir fixtures/ingest fixtures/ingest/return.xlsx fixtures/ingest/keys.xlsx
    soffice -env:UserInstallation=file:///tmp/kpiroll-lo --headless --convert-to ods --outdir fixtures/ingest fixtures/ingest/return.xlsx fixtures/ingest/keys.xlsx
    msoffcrypto-tool -e -p secret fixtures/ingest/return.xlsx fixtures/ingest/broken/encrypted.xlsx
    /usr/bin/python3 examples/lock_with_password.py fixtures/ingest/return.xlsx fixtures/ingest/broken

# render a book to PDF and PNG pages to look at (needs libreoffice-calc, poppler-utils)
look BOOK:
    soffice --headless --convert-to pdf --outdir target/look {{BOOK}}
    pdftoppm -png -r 50 target/look/$(basename {{BOOK}} .xlsx).pdf target/look/page

# the long seeded mutation run: truncated, bit-flipped and member-dropped copies of real
# files through `kpiroll check` (never a panic, status 0 or 1, the file named), and four
# times as many xlsx mutants read by kpiroll's own reader and by calamine (the same cells)
fuzz CASES="5000":
    KPIROLL_MUTATIONS={{CASES}} cargo test --release --test cli mutation -- --nocapture

# the benchmark's seeded workloads into target/bench/<scale>/: returns, last
# year's book written by kpiroll, expected counts. `just bench-data S,M,L` adds the
# national scale (1,741 returns, 139,280 rows: about a minute more)
bench-data SCALES="S,M":
    cargo build --release --bin kpiroll --example bench_data --example floor
    python3 bench/run.py data --scales {{SCALES}}

# kpiroll beside the floor (calamine read + rust_xlsxwriter write) and the pandas peer on
# those workloads: seconds, MiB, ratios, and kpiroll's counts checked against the expected
# ones (the peer needs `pip install pandas python-calamine xlsxwriter`). `--strict` in
# ARGS also fails on a missed target (BENCHMARKS.md)
bench SCALES="S,M" RUNS="5" *ARGS="":
    cargo build --release --bin kpiroll --example floor
    python3 bench/run.py run --scales {{SCALES}} --runs {{RUNS}} {{ARGS}}

# one consolidation of a workload, its time and memory stage by stage (after bench-data)
timings SCALE="M":
    KPIROLL_TIMINGS=1 cargo run --release -q --bin kpiroll -- consolidate --force --year R7 --prev target/bench/{{SCALE}}/prev.xlsx target/bench/{{SCALE}}/returns -o target/bench/{{SCALE}}/out/timings.xlsx 2>&1 | grep '^kpiroll:'

# the hostile corpus (examples/make_hostile.rs) into target/hostile/, and `kpiroll check`
# on each file beside the good return: each refused with its reason, or taken
hostile:
    cargo build --release --bin kpiroll --example make_hostile
    rm -rf target/hostile && $CARGO_TARGET_DIR/release/examples/make_hostile target/hostile
    for f in target/hostile/*; do [ "$f" = target/hostile/good.xlsx ] && continue; echo "== $f"; /usr/bin/time -f "   %e s, %M KiB at most" $CARGO_TARGET_DIR/release/kpiroll --lang en check target/hostile/good.xlsx "$f" 2>&1 || true; done

# the unseen corpus (fixtures/unseen, see fixtures/README.md): kpiroll built, then scored
# against the answer key (rows and fields exact, every miss, the guard scenarios).
# REGEN=1 first rewrites the corpus (needs openpyxl and LibreOffice)
unseen REGEN="":
    if [ -n "{{REGEN}}" ]; then python3 fixtures/unseen/make_unseen.py; fi
    cargo build --release --bin kpiroll
    python3 fixtures/unseen/score.py --kpiroll $CARGO_TARGET_DIR/release/kpiroll

# Debian 12's Rust and the sources of its standard library, one version (the std for
# Windows is built from these sources, so they must be the compiler's own)
RUST_WEB := "1.96.0+dfsg1-1~deb12u2"
WINDOWS_TARGET_DIR := env_var_or_default("KPIROLL_WINDOWS_TARGET_DIR", env_var("HOME") + "/.cache/kpiroll-windows")

# Debian's rustc-web builds the standard library for Windows from rust-web-src
# (-Zbuild-std; RUSTC_BOOTSTRAP lets a stable compiler do it), mingw links
# (windows/mingw-gcc; .cargo/config.toml names plain mingw gcc); the packages are
# installed when missing (as root). About 37 minutes cold on 2 cores, in its own build
# folder; the Linux build needs none of it.
# kpiroll.exe for 64-bit Windows into target/windows/ (the README's "Windows")
windows:
    #!/usr/bin/env bash
    set -euo pipefail
    want=(rustc-web={{RUST_WEB}} cargo-web={{RUST_WEB}} rust-web-src={{RUST_WEB}} gcc-mingw-w64-x86-64)
    for p in "${want[@]}"; do
      name=${p%%=*} version=${p#"$name"}
      have=$(dpkg-query -W -f='=${Version}' "$name" 2>/dev/null || true)
      if [ "$have" = "" ] || [ "$have" = "=" ] || { [ -n "$version" ] && [ "$have" != "$version" ]; }; then
        echo "installing ${want[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${want[@]}" >/dev/null
        break
      fi
    done
    # the linker (windows/mingw-gcc: no symbol tables, no time stamp) where its path is
    # the same for every clone; a changed one relinks the exe
    linker={{WINDOWS_TARGET_DIR}}/linker/mingw-gcc
    exe={{WINDOWS_TARGET_DIR}}/x86_64-pc-windows-gnu/release/kpiroll.exe
    if ! cmp -s windows/mingw-gcc "$linker"; then
      install -D -m 755 windows/mingw-gcc "$linker"
      rm -f "$exe"
    fi
    RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_DIR={{WINDOWS_TARGET_DIR}} \
      CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER="$linker" \
      nice /usr/bin/cargo build --release --locked --bin kpiroll \
      --target x86_64-pc-windows-gnu -Zbuild-std=std,panic_abort
    mkdir -p target/windows
    cp "$exe" target/windows/kpiroll.exe
    ls -l target/windows/kpiroll.exe

# windows/check.sh: the demo, two consolidations, an export, a handout and a check on
# the fixtures, every file compared byte for byte; a folder dropped onto it, the PDF
# handout, a double-click
# kpiroll.exe under wine beside the Linux build, outputs compared
windows-check: windows
    #!/usr/bin/env bash
    set -euo pipefail
    if ! command -v wine >/dev/null || [ ! -x /usr/lib/wine/wine64 ] || ! command -v curl >/dev/null; then
      apt-get update -qq
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wine wine64 curl >/dev/null
    fi
    cargo build --release --bin kpiroll
    windows/check.sh target/windows/kpiroll.exe "$CARGO_TARGET_DIR/release/kpiroll"
