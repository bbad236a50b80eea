#!/usr/bin/env bash
# Issue 17's sharded run: three PostgreSQL 15 shards and a coordinator on loopback (initdb/pg_ctl in a temporary
# directory, trust authentication on 127.0.0.1 only), the first 10,000,000 rows of the scale-out data set
# (benchmarks/scale-out/bench_100m.sh's part-00) split by ranges of usr, the coordinator's table RANGE-partitioned on usr
# into postgres_fdw foreign tables (async_capable, so the shards work at the same time), partitionwise aggregation on.
# Then `typedmixed fit postgresql://… --table ratings` for the nested and the crossed model under /usr/bin/time, and the
# same two fits through DuckDB from part-00 for comparison. Servers and data are removed at the end.
# Usage: benchmarks/scale-out/sharded_bench.sh DATA_DIR [rows=10000000]
set -euo pipefail
cd "$(dirname "$0")/../.."
data=$(realpath "$1"); rows=${2:-10000000}
bench=benchmarks/TypedMixed.Benchmarks/bin/Release/net10.0/TypedMixed.Benchmarks.dll
cli=src/TypedMixed.Cli/bin/Release/net10.0/TypedMixed.Cli.dll
dotnet build -c Release src/TypedMixed.Cli -v q -nologo >/dev/null
dotnet build -c Release benchmarks/TypedMixed.Benchmarks -v q -nologo >/dev/null
[ -f "$data/part-00.parquet" ] || dotnet "$bench" scale-out-generate "$data" 100000000 10
[ -f "$data/head-$rows-shard2.csv" ] || dotnet "$bench" scale-out-csv "$data" "$rows" 3
bin=$(ls -d /usr/lib/postgresql/*/bin | sort | tail -1)
tmp=$(mktemp -d); chmod 755 "$tmp"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ports=()
cleanup() { for i in 0 1 2 3; do [ -d "$tmp/pg$i" ] && as_pg "$bin/pg_ctl" -D "$tmp/pg$i" -m immediate -w stop >/dev/null 2>&1 || true; done; rm -rf "$tmp"; }
trap cleanup EXIT
for i in 0 1 2 3; do
  p=$(free_port); ports+=("$p")
  mkdir -p "$tmp/pg$i"; [ "$(id -u)" = 0 ] && chown postgres:postgres "$tmp/pg$i"
  as_pg "$bin/initdb" -D "$tmp/pg$i" -U bench --auth=trust -E UTF8 --no-locale >/dev/null
  as_pg "$bin/pg_ctl" -D "$tmp/pg$i" -l "$tmp/pg$i/log" -w -o "-p $p -k $tmp/pg$i -c listen_addresses=127.0.0.1 -c fsync=off -c shared_buffers=128MB -c work_mem=256MB -c max_parallel_workers_per_gather=0" start >/dev/null
done
psql() { "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -U bench -d postgres "$@"; }
cols="cluster integer, usr integer, item integer, x double precision, y double precision"
users=$((rows / 1000))
for s in 0 1 2; do
  psql -p "${ports[$((s + 1))]}" -c "CREATE TABLE ratings_p$s ($cols)"
  t0=$(date +%s.%N)
  psql -p "${ports[$((s + 1))]}" -c "\\copy ratings_p$s FROM '$data/head-$rows-shard$s.csv' (FORMAT csv, HEADER true)"
  psql -p "${ports[$((s + 1))]}" -c "ANALYZE ratings_p$s"
  echo "shard $s loaded in $(echo "$(date +%s.%N) - $t0" | bc) s: $(psql -p "${ports[$((s + 1))]}" -t -c "SELECT count(*) FROM ratings_p$s") rows"
done
c=${ports[0]}
psql -p "$c" -c "CREATE EXTENSION postgres_fdw"
psql -p "$c" -c "CREATE TABLE ratings ($cols) PARTITION BY RANGE (usr)"
for s in 0 1 2; do
  psql -p "$c" -c "CREATE SERVER shard$s FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '${ports[$((s + 1))]}', dbname 'postgres', async_capable 'true', fetch_size '50000')"
  psql -p "$c" -c "CREATE USER MAPPING FOR bench SERVER shard$s OPTIONS (user 'bench')"
  psql -p "$c" -c "CREATE FOREIGN TABLE ratings_f$s PARTITION OF ratings FOR VALUES FROM ($((s * users / 3))) TO ($(((s + 1) * users / 3))) SERVER shard$s OPTIONS (table_name 'ratings_p$s', use_remote_estimate 'true')"
done
psql -p "$c" -c "ALTER DATABASE postgres SET enable_partitionwise_aggregate = on"
uri="postgresql://bench@127.0.0.1:$c/postgres"
run() { echo "== $1"; shift; /usr/bin/time -f "elapsed %e s, peak RSS %M KB" "$@" 2>&1 | grep -vE "^ *evaluation +[0-9]+:"; }
run "sharded PostgreSQL, $rows rows, nested" dotnet "$cli" fit "$uri" "y ~ x + (x | cluster)" --table ratings --ml
run "sharded PostgreSQL, $rows rows, crossed" dotnet "$cli" fit "$uri" "y ~ x + (1 | usr) + (1 | item)" --table ratings --ml
run "DuckDB, the same $rows rows (CSV shards), nested" dotnet "$cli" fit "$data/head-$rows-shard*.csv" "y ~ x + (x | cluster)" --ml --aggregate
run "DuckDB, the same $rows rows (CSV shards), crossed" dotnet "$cli" fit "$data/head-$rows-shard*.csv" "y ~ x + (1 | usr) + (1 | item)" --ml --aggregate
