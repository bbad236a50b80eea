#!/usr/bin/env bash
# Reading + building the design of a 10,000,000-row, 6-column file: typedmixed (CSV and Parquet, --design-only)
# against R's read.csv + lme4::lFormula and data.table::fread + lFormula. Time and peak RSS of each process from
# /usr/bin/time -v. Not part of CI.
# Usage: benchmarks/read_compare.sh [--only typedmixed|r] [rows]   (default: both sides, 10000000 rows)
# Writes benchmarks/data/read10m.{csv,parquet} (git-ignored) once, and benchmarks/results/read-<UTC>/ (raw outputs).
set -euo pipefail
cd "$(dirname "$0")/.."
only=all
if [ "${1:-}" = "--only" ]; then only="$2"; shift 2; fi
rows="${1:-10000000}"
formula='y ~ x1 + x2 + x3 + (1 | g) + (1 | h)'
data=benchmarks/data
out="benchmarks/results/read-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$data" "$out"

if [ ! -s "$data/read10m.parquet" ] || [ "$rows" != "10000000" ]; then
  dotnet run -c Release --project benchmarks/ReadData -- "$data" "$rows"
fi
if [ "$only" != r ]; then dotnet build -c Release src/TypedMixed.Cli -v q -nologo > "$out/build.txt"; fi
cli=src/TypedMixed.Cli/bin/Release/net10.0/TypedMixed.Cli

run() { # name, command...
  local name="$1"; shift
  /usr/bin/time -v "$@" > "$out/$name.out" 2> "$out/$name.err" || { echo "$name failed; see $out/$name.err" >&2; exit 1; }
  local wall rss cpu
  wall=$(grep 'Elapsed (wall clock)' "$out/$name.err" | awk '{print $NF}')
  rss=$(grep 'Maximum resident set size' "$out/$name.err" | awk '{print $NF}')
  cpu=$(grep -E '(User|System) time \(seconds\)' "$out/$name.err" | awk '{s += $NF} END {printf "%.1f", s}')
  printf '| %s | %s | %s s | %d MB | %s |\n' "$name" "$wall" "$cpu" $((rss / 1024)) "$(head -1 "$out/$name.out")"
}

echo "date $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "CSV $(stat -c %s "$data/read10m.csv") bytes, Parquet $(stat -c %s "$data/read10m.parquet") bytes; formula: $formula"
echo
echo "| process | wall (m:ss) | CPU (user + sys) | peak RSS | output |"
echo "|---|---|---|---|---|"
if [ "$only" != r ]; then
  run typedmixed-csv "$cli" fit "$data/read10m.csv" "$formula" --design-only --quiet
  run typedmixed-parquet "$cli" fit "$data/read10m.parquet" "$formula" --design-only --quiet
fi
if [ "$only" != typedmixed ]; then
  run r-fread Rscript benchmarks/read_compare.R fread "$data/read10m.csv" "$formula"
  run r-read.csv Rscript benchmarks/read_compare.R read.csv "$data/read10m.csv" "$formula"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
