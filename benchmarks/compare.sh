#!/usr/bin/env bash
# Side-by-side whole-fit timings: TypedMixed vs lme4 (R's reference BLAS and OpenBLAS) on the same CSV files.
#
#   benchmarks/compare.sh [--models a,b,...] [--quick] [--full-reps N]
#
#   --models     comma-separated subset of the models (see `dotnet TypedMixed.Benchmarks.dll list-models`); default: all
#   --quick      small models only (sleepstudy, Penicillin, Exam), for checking the script itself
#   --full-reps  repetitions of TypedMixed's full fit (variance-component SEs + Satterthwaite); default 1 (0 skips)
#
# Installs what it needs if missing (Debian: r-base-core r-cran-lme4 libopenblas0-pthread time), builds the benchmark
# project, writes the data sets to benchmarks/data/ (git-ignored), runs every model in its own process under
# /usr/bin/time -v, keeps the raw outputs in benchmarks/results/<timestamp>/ and prints a Markdown table. The last two
# lines are `ratio insteval-reml <lme4 reference BLAS / TypedMixed>` and `ratio-openblas insteval-reml <...>`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

MODELS=""; QUICK=0; FULL_REPS=1
while [ $# -gt 0 ]; do
  case "$1" in
    --models) MODELS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --full-reps) FULL_REPS="$2"; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done

log() { echo "compare.sh: $*" >&2; }

# ---- 1. Dependencies (benchmark-only: R, lme4, OpenBLAS, GNU time). ----
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
LIB=/usr/lib/$MULTIARCH
need=()
command -v Rscript >/dev/null || need+=(r-base-core)
{ command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("lme4", quietly = TRUE))' >/dev/null 2>&1; } || need+=(r-cran-lme4)
[ -e "$LIB/openblas-pthread/libblas.so.3" ] || need+=(libopenblas0-pthread)
[ -x /usr/bin/time ] || need+=(time)
[ -e "$LIB/blas/libblas.so.3" ] || need+=(libblas3)
[ -e "$LIB/lapack/liblapack.so.3" ] || need+=(liblapack3)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

# R's launcher prepends R_LD_LIBRARY_PATH (default: R's lib and $LIB, where the alternatives' libblas.so.3 lives) to
# LD_LIBRARY_PATH; pointing it at one BLAS/LAPACK directory first selects that library for this R process only.
R_REF="$LIB/blas:$LIB/lapack:/usr/lib/R/lib:$LIB"
# Debian's OpenBLAS 0.3.21 (DYNAMIC_ARCH) does not recognise this virtual CPU and falls back to its Prescott (SSE3)
# kernels: dpotrf at n = 1128 then takes ~32 ms instead of ~16 ms. Unless OPENBLAS_CORETYPE is already set, name the
# core from the CPU flags, for the OpenBLAS processes only (dense-cholesky prints the core OpenBLAS then reports).
if [ -z "${OPENBLAS_CORETYPE:-}" ]; then
  if grep -qw avx512f /proc/cpuinfo; then OB_CORE=SkylakeX; elif grep -qw avx2 /proc/cpuinfo; then OB_CORE=Haswell; else OB_CORE=""; fi
else
  OB_CORE=$OPENBLAS_CORETYPE
fi
OB_ENV=(); [ -n "$OB_CORE" ] && OB_ENV=(OPENBLAS_CORETYPE="$OB_CORE")
R_OPENBLAS="$LIB/openblas-pthread:/usr/lib/R/lib:$LIB"
check_blas() {  # $1 = R_LD_LIBRARY_PATH, $2 = pattern the BLAS path must match
  local got
  got=$(R_LD_LIBRARY_PATH="$1" Rscript -e 'cat(extSoftVersion()[["BLAS"]], La_library(), sep = " | ")')
  [[ "$got" == *$2* ]] || { log "expected a BLAS matching '$2', R loaded: $got"; exit 1; }
  echo "$got"
}
BLAS_REF=$(check_blas "$R_REF" "/blas/libblas")
BLAS_OPEN=$(check_blas "$R_OPENBLAS" "openblas")

# ---- 2. Build and data. ----
PROJECT=benchmarks/TypedMixed.Benchmarks/TypedMixed.Benchmarks.csproj
log "building $PROJECT (Release)"
dotnet build -c Release "$PROJECT" -v quiet -nologo >/dev/null
DLL=benchmarks/TypedMixed.Benchmarks/bin/Release/net10.0/TypedMixed.Benchmarks.dll
TM() { dotnet "$DLL" "$@"; }
DATA=benchmarks/data
log "writing data sets to $DATA"
TM generate "$DATA" >&2
# lme4's InstEval itself (the issue's model on the real data), exported from the installed package.
[ -s "$DATA/InstEval.csv" ] || Rscript -e 'write.csv(lme4::InstEval, commandArgs(TRUE)[1], row.names = FALSE)' "$DATA/InstEval.csv"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=benchmarks/results/$STAMP
mkdir -p "$OUT"
START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 3. Fits. ----
# key of a "key value" output file
val() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }
rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

mapfile -t ALL < <(TM list-models)
selected=()
for line in "${ALL[@]}"; do
  IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
  if [ -n "$MODELS" ]; then [[ ",$MODELS," == *",$name,"* ]] || continue
  elif [ $QUICK -eq 1 ]; then [[ "$name" == nested1m* || "$name" == insteval* ]] && continue; fi
  selected+=("$line")
done

for line in "${selected[@]}"; do
  IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
  log "$name: TypedMixed ($reps fits + $FULL_REPS full)"
  /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-fit "$name" --data "$DATA" --reps "$reps" --full-reps "$FULL_REPS" > "$OUT/$name.tm.txt"
  log "$name: lme4, reference BLAS ($rreps fits)"
  R_LD_LIBRARY_PATH="$R_REF" /usr/bin/time -v -o "$OUT/$name.ref.time" Rscript benchmarks/lme4_fit.R "$DATA/$file" "$formula" "$method" "$rreps" > "$OUT/$name.ref.txt"
  log "$name: lme4, OpenBLAS ($rreps fits)"
  env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.open.time" Rscript benchmarks/lme4_fit.R "$DATA/$file" "$formula" "$method" "$rreps" > "$OUT/$name.open.txt"
  for s in ref open; do
    case $s in ref) want="/blas/libblas" ;; open) want="openblas" ;; esac
    got=$(val "$OUT/$name.$s.txt" blas)
    [[ "$got" == *$want* ]] || { log "$name: R used BLAS '$got', expected '$want'"; exit 1; }
  done
done

log "dense Cholesky n = 1128: managed vs OpenBLAS dpotrf"
env "${OB_ENV[@]}" dotnet "$DLL" dense-cholesky --n 1128 --reps 15 > "$OUT/dense-cholesky.txt"
END=$(date +%s)

# ---- 4. Report. ----
FIRST=${selected[0]%%$'\t'*}
{
  echo "## TypedMixed vs lme4 — $(date -u +%Y-%m-%d) (run $STAMP, $((END - START)) s)"
  echo
  echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "TypedMixed: .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); lme4 $(val "$OUT/$FIRST.ref.txt" lme4), $(val "$OUT/$FIRST.ref.txt" r)"
  echo "Reference BLAS: $BLAS_REF"
  echo "OpenBLAS: $BLAS_OPEN; $(grep '^openblas_config' "$OUT/dense-cholesky.txt" | cut -d' ' -f2-) (OPENBLAS_CORETYPE=${OB_CORE:-unset})"
  echo
  echo "Times are medians of the repetitions (n) after warm-up, the fit only (CSV reading excluded); TypedMixed 'lmer-like' = no variance-component SEs and no Satterthwaite, as lmer; 'full' = with both. Peak RSS = Maximum resident set size of the whole process (reading the CSV included)."
  echo
  echo "| model | n TM/lme4 | TypedMixed s | lme4 ref s | lme4 OpenBLAS s | ref / TM | OpenBLAS / TM | evals TM | evals lme4 | objective TM | objective lme4 | rel. diff | TM full s | peak RSS TM MB (after CSV load) | peak RSS lme4 ref MB | peak RSS lme4 OpenBLAS MB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} > "$OUT/table.md"
fail=0
for line in "${selected[@]}"; do
  IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
  tm=$(val "$OUT/$name.tm.txt" fit_median_seconds); ref=$(val "$OUT/$name.ref.txt" fit_median_seconds); op=$(val "$OUT/$name.open.txt" fit_median_seconds)
  otm=$(val "$OUT/$name.tm.txt" objective); oref=$(val "$OUT/$name.ref.txt" objective); oop=$(val "$OUT/$name.open.txt" objective)
  full=$(val "$OUT/$name.tm.txt" full_fit_median_seconds); full=${full:--}
  read -r rr ro rel status <<<"$(awk -v t="$tm" -v r="$ref" -v o="$op" -v a="$otm" -v b="$oref" -v c="$oop" 'BEGIN {
      d = (a - b) / (b < 0 ? -b : b); d2 = (a - c) / (c < 0 ? -c : c);
      ad = d < 0 ? -d : d; ad2 = d2 < 0 ? -d2 : d2; m = ad > ad2 ? ad : ad2;
      s = m <= 1e-6 ? "ok" : ((d < 0 && d2 < 0) ? "TM-lower" : "FAIL");
      printf "%.2f %.2f %.1e %s", r / t, o / t, (ad > ad2 ? d : d2), s }')"
  [ "$status" = FAIL ] && fail=1
  printf '| %s | %s | %.4g | %.4g | %.4g | %s | %s | %s | %s | %s | %s | %s %s | %s | %s | %s | %s |\n' \
    "$name ($method)" "$reps/$rreps" "$tm" "$ref" "$op" "$rr" "$ro" \
    "$(val "$OUT/$name.tm.txt" evaluations)" "$(val "$OUT/$name.ref.txt" evaluations)/$(val "$OUT/$name.open.txt" evaluations)" \
    "$otm" "$oref" "$rel" "$status" "$full" \
    "$(rss_mb "$OUT/$name.tm.time") ($(awk '{ printf "%.0f", $1 / 1048576 }' <<<"$(val "$OUT/$name.tm.txt" peak_working_set_after_load_bytes)"))" "$(rss_mb "$OUT/$name.ref.time")" "$(rss_mb "$OUT/$name.open.time")" >> "$OUT/table.md"
  echo "$name $rr $ro" >> "$OUT/ratios.txt"
done
{
  echo
  echo "Dense Cholesky, n = 1128 (median of 15, copy excluded):"
  echo
  grep -E '^dense_cholesky|^max' "$OUT/dense-cholesky.txt" | sed 's/^/    /'
  echo
  [ $fail -eq 0 ] && echo "Objectives agree to 1e-6 relative (or TypedMixed's is lower) for every model." \
                  || echo "AGREEMENT FAILURE: an objective differs from lme4's by more than 1e-6 relative (status FAIL above)."
} >> "$OUT/table.md"
cat "$OUT/table.md"
log "raw outputs in $OUT"
# The machine-readable closing lines: other models first, the InstEval-shaped model last.
while read -r name rr ro; do
  [ "$name" = insteval-reml ] && continue
  echo "ratio $name $rr"; echo "ratio-openblas $name $ro"
done < "$OUT/ratios.txt"
if grep -q '^insteval-reml ' "$OUT/ratios.txt"; then
  read -r _ rr ro < <(grep '^insteval-reml ' "$OUT/ratios.txt")
  echo "ratio insteval-reml $rr"
  echo "ratio-openblas insteval-reml $ro"
fi
