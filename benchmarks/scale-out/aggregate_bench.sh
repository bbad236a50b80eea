#!/usr/bin/env bash
# Fit from Gram blocks aggregated inside DuckDB over a deterministic generated table (no file, no rows in memory):
#   y = 1 + 0.5 x + a[g1] + b[g2] + e,  g1: 1000 levels, g2 = (i div 7) mod 500: 500 levels (crossed), x and e from hash(i).
# Usage: benchmarks/scale-out/aggregate_bench.sh [rows=100000000] [memory_limit=1GB]
# Prints the CLI's per-phase progress and /usr/bin/time's elapsed time and peak resident memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
rows=${1:-100000000}
mem=${2:-1GB}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sql="SELECT i % 1000 AS g1, (i // 7) % 500 AS g2,
  (hash(i) % 1000000) / 1000000.0 AS x,
  1 + 0.5 * ((hash(i) % 1000000) / 1000000.0)
    + ((hash(i % 1000) % 1000) / 1000.0 - 0.5)
    + 0.5 * ((hash(1000000 + (i // 7) % 500) % 1000) / 1000.0 - 0.5)
    + ((hash(2 * i + 1) % 1000000) / 1000000.0 - 0.5) AS y
FROM range($rows) t(i)"
dotnet build -c Release src/TypedMixed.Cli -v q -nologo >/dev/null
/usr/bin/time -f "elapsed %e s, peak RSS %M KB" \
  dotnet src/TypedMixed.Cli/bin/Release/net10.0/TypedMixed.Cli.dll fit --sql "$sql" "y ~ x + (1 | g1) + (1 | g2)" --ml --aggregate \
  --memory-limit "$mem" --temp-dir "$tmp"
