#!/usr/bin/env bash
# Side-by-side whole-fit timings on the same CSV files: TypedMixed vs lme4 (R's reference BLAS and OpenBLAS) for the
# Gaussian models, TypedMixed vs glmer and glmmTMB for the GLMMs (glmm-*), TypedMixed vs ordinal::clmm for the
# cumulative link models (ordinal-*, with --ordinal only).
#
#   benchmarks/compare.sh [--models a,b,...] [--quick] [--lmm | --glmm | --residual | --mm | --ordinal | --mv | --huge] [--full-reps N] [--process]
#
#   --models     comma-separated subset of the models (see `dotnet TypedMixed.Benchmarks.dll list-models` and
#                `list-glmm-models`); default: all
#   --quick      small models only (sleepstudy, Penicillin, Exam, glmm-cbpp), for checking the script itself
#   --lmm        Gaussian models only (the comparison with lme4's lmer)
#   --glmm       GLMMs only (the comparison with glmer and glmmTMB)
#   --residual   residual structures only (issue 12): TypedMixed vs nlme::lme and glmmTMB ar1() on sleepstudy with
#                AR(1) and a synthetic 100,000-row longitudinal set (random intercept and slope, AR(1)); ML fits;
#                R side in benchmarks/residual_fit.R
#   --mm         multiple membership only (issue 13): 1,000,000 pupils in 1-3 of 20,000 schools (mm1m.csv), TypedMixed
#                vs lme4 fed the same weighted Z (lme4_mm_fit.R: lFormula, Zt replaced, mkLmerDevfun, optimizeLmer;
#                OpenBLAS); closing lines `ratio <model> <lme4 / TypedMixed>`
#   --ordinal    cumulative link models only (the comparison with ordinal::clmm: wine and a 100,000-row crossed set);
#                closing lines `ratio <model> <clmm / TypedMixed>`
#   --mv         multivariate responses only (issue 14): TypedMixed vs nlme::lme (varIdent + corSymm on the stacked
#                scores, benchmarks/mv_fit.R) on Gcsemv and a synthetic 200,000-pupil bivariate set (mv200k.csv, 20 %
#                of pupils missing one score); ML fits; closing lines `ratio <model> <nlme / TypedMixed>`
#   --huge       the 1,000,000-row crossed model only (issue 16): 100,000 students × 20,000 items (students1m.csv,
#                items in courses and programmes; the item block is factored sparsely), one cold TypedMixed fit
#                (time-fit --warmup 0) and one lmer fit with OpenBLAS, both ML; not part of the default runs
#   --full-reps  repetitions of TypedMixed's full fit (variance-component SEs [+ Satterthwaite]); default 1 (0 skips)
#   --optimizer  bobyqa | quasi-newton: TypedMixed's optimizer for the Gaussian models (default: the library's default)
#   --process    Gaussian models: also whole processes, 3 each: `typedmixed fit` (load + fit + full inference + summary)
#                against `Rscript lme4_process.R` (R start + library(lme4) + read.csv + lmer, OpenBLAS), wall time and
#                peak RSS from /usr/bin/time -v, the CLI also published ReadyToRun and timed beside; closing lines
#                `ratio-process <model> <lme4 / TypedMixed>` and `ratio-process-r2r <model> <...>`
#
# Installs what it needs if missing (Debian: r-base-core r-cran-lme4 r-cran-glmmtmb libopenblas0-pthread time), builds
# the benchmark project, writes the data sets to benchmarks/data/ (git-ignored), runs every model in its own process
# under /usr/bin/time -v, keeps the raw outputs in benchmarks/results/<timestamp>/ and prints Markdown tables. The
# closing lines are `ratio <model> <lme4 reference BLAS / TypedMixed>` and `ratio-openblas <model> <...>` for the
# Gaussian models (insteval-reml last of those), then `ratio glmm-<model> <glmer / TypedMixed>` for the GLMMs
# (`n/a` when the TypedMixed fit failed).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

MODELS=""; QUICK=0; FULL_REPS=1; KINDS=both; OPTIMIZER_ARGS=(); PROCESS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --models) MODELS="$2"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    --lmm) KINDS=lmm; shift ;;
    --glmm) KINDS=glmm; shift ;;
    --residual) KINDS=residual; shift ;;
    --mm) KINDS=mm; shift ;;
    --ordinal) KINDS=ordinal; shift ;;
    --mv) KINDS=mv; shift ;;
    --huge) KINDS=huge; shift ;;
    --full-reps) FULL_REPS="$2"; shift 2 ;;
    --optimizer) OPTIMIZER_ARGS=(--optimizer "$2"); shift 2 ;;
    --process) PROCESS=1; shift ;;
    -h|--help) sed -n '2,39p' "$0"; exit 0 ;;
    *) echo "compare.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done

log() { echo "compare.sh: $*" >&2; }

# ---- 1. Dependencies (benchmark-only: R, lme4, glmmTMB, OpenBLAS, GNU time). ----
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
LIB=/usr/lib/$MULTIARCH
need=()
command -v Rscript >/dev/null || need+=(r-base-core)
{ command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("lme4", quietly = TRUE))' >/dev/null 2>&1; } || need+=(r-cran-lme4)
{ command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("glmmTMB", quietly = TRUE))' >/dev/null 2>&1; } || need+=(r-cran-glmmtmb)
[ -e "$LIB/openblas-pthread/libblas.so.3" ] || need+=(libopenblas0-pthread)
[ -x /usr/bin/time ] || need+=(time)
[ "$KINDS" != ordinal ] || { command -v Rscript >/dev/null && Rscript -e 'quit(status = !requireNamespace("ordinal", quietly = TRUE))' >/dev/null 2>&1; } || need+=(r-cran-ordinal)
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
if [ "$KINDS" = ordinal ]; then TM generate "$DATA" ordinal_crossed.csv wine.csv >&2
elif [ "$KINDS" = mv ]; then TM generate "$DATA" mv200k.csv mv_slopes20k.csv mv_slopes200k.csv Gcsemv.csv >&2
elif [ "$KINDS" = huge ]; then TM generate "$DATA" students1m.csv >&2
else TM generate "$DATA" >&2; fi
# lme4's InstEval itself (the issue's model on the real data), exported from the installed package.
[ "$KINDS" = ordinal ] || [ "$KINDS" = mv ] || [ "$KINDS" = huge ] || [ -s "$DATA/InstEval.csv" ] || Rscript -e 'write.csv(lme4::InstEval, commandArgs(TRUE)[1], row.names = FALSE)' "$DATA/InstEval.csv"

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
OUT=benchmarks/results/$STAMP
mkdir -p "$OUT"
START=$(date +%s)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- Multivariate responses (--mv): its own models, fits and table; then stop. ----
if [ "$KINDS" = mv ]; then
  val() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }
  rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
  num4() { [ -n "$1" ] && printf '%.4g' "$1" || echo "n/a"; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a + 0 == 0) print "n/a"; else printf "%.1f", b / a }'; }
  rel() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.1e", (a - b) / (b < 0 ? -b : b) }'; }
  mapfile -t MV < <(TM list-mv-models)
  for line in "${MV[@]}"; do
    IFS=$'\t' read -r name file reps rreps <<<"$line"
    if [ -n "$MODELS" ]; then [[ ",$MODELS," == *",$name,"* ]] || continue; fi
    log "$name: TypedMixed ($reps fits)"
    /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-mv "$name" --data "$DATA" --reps "$reps" > "$OUT/$name.tm.txt" \
      || log "$name: TypedMixed failed"
    log "$name: nlme ($rreps fits)"
    env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.nlme.time" \
      timeout "${MV_R_TIMEOUT:-7200}" Rscript benchmarks/mv_fit.R "$name" "$DATA/$file" "$rreps" > "$OUT/$name.nlme.txt" \
      || log "$name: nlme failed or timed out (see $OUT/$name.nlme.txt)"
  done
  END=$(date +%s)
  {
    echo "## TypedMixed vs nlme::lme, multivariate responses — $(date -u +%Y-%m-%d) (run $STAMP, $((END - START)) s)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "TypedMixed: .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); R: $(val "$(ls "$OUT"/*.nlme.txt | head -1)" r); R's BLAS: $BLAS_OPEN"
    echo
    echo "ML fits of (written, coursework) ~ 1 + female with a school intercept per response (unstructured 2×2) and a 2×2 pupil-level residual covariance. Times are medians of the repetitions after warm-up, the fit call only (CSV reading excluded); TypedMixed's includes the SEs of every variance and covariance (nlme computes its apVar by default). nlme: lme(score ~ 0 + resp + resp:female, random = ~0 + resp | school, weights = varIdent(~1 | resp), correlation = corSymm(~1 | school/pupil)). Models named *-slopes add a school slope of female per response (4×4 school covariance; nlme: random = ~0 + resp + resp:female | school). Peak RSS = maximum resident set size of the whole process."
    echo
    echo "| model | pupils | stacked rows | TypedMixed s | nlme s | nlme / TM | evals TM | logLik TM | logLik nlme | (TM − nlme)/abs(nlme) | peak RSS TM / nlme MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
  } > "$OUT/table.md"
  : > "$OUT/ratios.txt"
  for line in "${MV[@]}"; do
    IFS=$'\t' read -r name file reps rreps <<<"$line"
    [ -e "$OUT/$name.tm.txt" ] || continue
    T="$OUT/$name.tm.txt"; N="$OUT/$name.nlme.txt"
    tm=$(val "$T" fit_median_seconds); nl=$(val "$N" fit_median_seconds)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s |\n' \
      "$name" "$(val "$T" units)" "$(val "$T" rows)" "$(num4 "$tm")" "$(num4 "$nl")" "$(ratio "$tm" "$nl")" "$(val "$T" evaluations)" \
      "$(val "$T" loglik)" "$(val "$N" loglik)" "$(rel "$(val "$T" loglik)" "$(val "$N" loglik)")" \
      "$(rss_mb "$OUT/$name.tm.time")" "$(rss_mb "$OUT/$name.nlme.time")" >> "$OUT/table.md"
    echo "ratio $name $(ratio "$tm" "$nl")" >> "$OUT/ratios.txt"
  done
  cat "$OUT/table.md"
  log "raw outputs in $OUT"
  cat "$OUT/ratios.txt"
  exit 0
fi

# ---- The 1,000,000-row crossed model (--huge): one model, both fits, its own table; then stop. ----
if [ "$KINDS" = huge ]; then
  val() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }
  rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
  wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s }' "$1"; }
  num4() { [ -n "$1" ] && printf '%.4g' "$1" || echo "n/a"; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a + 0 == 0) print "n/a"; else printf "%.1f", b / a }'; }
  rel() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.1e", (a - b) / (b < 0 ? -b : b) }'; }
  name=crossed1m-ml; file=students1m.csv; formula="y ~ x + (1 | student) + (1 | item)"
  log "$name: TypedMixed (one cold fit)"
  /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-fit "$name" --data "$DATA" --reps 1 --full-reps 0 --warmup 0 > "$OUT/$name.tm.txt" \
    || log "$name: TypedMixed failed"
  log "$name: lme4 with OpenBLAS (one fit)"
  env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.lme4.time" \
    timeout "${HUGE_R_TIMEOUT:-7200}" Rscript benchmarks/lme4_fit.R "$DATA/$file" "$formula" ML 1 > "$OUT/$name.lme4.txt" \
    || log "$name: lme4 failed or timed out (see $OUT/$name.lme4.txt)"
  END=$(date +%s)
  T="$OUT/$name.tm.txt"; L="$OUT/$name.lme4.txt"
  tm=$(val "$T" fit_median_seconds); lm=$(val "$L" fit_median_seconds)
  {
    echo "## TypedMixed vs lme4, 1,000,000 rows crossed 100,000 × 20,000 — $(date -u +%Y-%m-%d) (run $STAMP, $((END - START)) s)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "TypedMixed: .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); R: $(val "$L" r), lme4 $(val "$L" lme4); R's BLAS: $BLAS_OPEN"
    echo
    echo "ML fit of $formula on $file. Fit = the fit call only (CSV reading excluded), one cold fit each (lme4 after its sleepstudy warm-up); process = the whole process's wall clock (load, fit, exit). TypedMixed's tail: $(val "$T" tail)."
    echo
    echo "| model | rows | TypedMixed fit s | lme4 fit s | lme4 / TM | evals TM / lme4 | objective TM | objective lme4 | (TM − lme4)/abs(lme4) | process s TM / lme4 | peak RSS TM / lme4 MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    printf '| %s | %s | %s | %s | %s | %s / %s | %s | %s | %s | %s / %s | %s / %s |\n' \
      "$name" "$(val "$T" rows)" "$(num4 "$tm")" "$(num4 "$lm")" "$(ratio "$tm" "$lm")" "$(val "$T" evaluations)" "$(val "$L" evaluations)" \
      "$(val "$T" objective)" "$(val "$L" objective)" "$(rel "$(val "$T" objective)" "$(val "$L" objective)")" \
      "$(wall "$OUT/$name.tm.time")" "$(wall "$OUT/$name.lme4.time")" "$(rss_mb "$OUT/$name.tm.time")" "$(rss_mb "$OUT/$name.lme4.time")"
  } > "$OUT/table.md"
  cat "$OUT/table.md"
  log "raw outputs in $OUT"
  echo "ratio $name $(ratio "$tm" "$lm")"
  exit 0
fi

# ---- Residual structures (--residual): its own models, fits and table; then stop. ----
if [ "$KINDS" = residual ]; then
  val() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }
  rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }
  num4() { [ -n "$1" ] && printf '%.4g' "$1" || echo "n/a"; }
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a + 0 == 0) print "n/a"; else printf "%.1f", b / a }'; }
  diff_ll() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.2e", a - b }'; }
  mapfile -t RES < <(TM list-residual-models)
  for line in "${RES[@]}"; do
    IFS=$'\t' read -r name file reps rreps <<<"$line"
    if [ -n "$MODELS" ]; then [[ ",$MODELS," == *",$name,"* ]] || continue; fi
    log "$name: TypedMixed ($reps fits + $FULL_REPS full)"
    /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-residual "$name" --data "$DATA" --reps "$reps" --full-reps "$FULL_REPS" > "$OUT/$name.tm.txt" \
      || log "$name: TypedMixed failed"
    for pkg in nlme glmmTMB; do
      log "$name: $pkg ($rreps fits)"
      env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.$pkg.time" \
        timeout "${RESIDUAL_R_TIMEOUT:-3600}" Rscript benchmarks/residual_fit.R "$pkg" "$name" "$DATA/$file" "$rreps" > "$OUT/$name.$pkg.txt" \
        || log "$name: $pkg failed or timed out (see $OUT/$name.$pkg.txt)"
    done
  done
  END=$(date +%s)
  {
    echo "## TypedMixed vs nlme::lme and glmmTMB, residual AR(1) — $(date -u +%Y-%m-%d) (run $STAMP, $((END - START)) s)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "TypedMixed: .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); R: $(val "$OUT/${RES[0]%%$'\t'*}.nlme.txt" r); R's BLAS: $BLAS_OPEN"
    echo
    echo "ML fits. Times are medians of the repetitions after warm-up, the fit call only (CSV reading excluded). TypedMixed 'fit' = no variance-parameter SEs; 'full' = with the joint observed information (SEs of the variance components and of ρ), comparable with nlme's default apVar. glmmTMB: AR(1) as ar1(occasion + 0 | cluster) with dispformula = ~0. Peak RSS = maximum resident set size of the whole process."
    echo
    echo "| model | rows | TypedMixed fit s | TypedMixed full s | nlme s | glmmTMB s | nlme / TM full | glmmTMB / TM full | evals TM | logLik TM | logLik nlme | logLik glmmTMB | TM − nlme | TM − glmmTMB | ρ TM | ρ nlme | ρ glmmTMB | peak RSS TM / nlme / glmmTMB MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  } > "$OUT/table.md"
  : > "$OUT/ratios.txt"
  for line in "${RES[@]}"; do
    IFS=$'\t' read -r name file reps rreps <<<"$line"
    [ -e "$OUT/$name.tm.txt" ] || continue
    T="$OUT/$name.tm.txt"; N="$OUT/$name.nlme.txt"; G="$OUT/$name.glmmTMB.txt"
    tm=$(val "$T" fit_median_seconds); tf=$(val "$T" full_fit_median_seconds); nl=$(val "$N" fit_median_seconds); gt=$(val "$G" fit_median_seconds)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |\n' \
      "$name" "$(val "$T" rows)" "$(num4 "$tm")" "$(num4 "$tf")" "$(num4 "$nl")" "$(num4 "$gt")" "$(ratio "$tf" "$nl")" "$(ratio "$tf" "$gt")" \
      "$(val "$T" evaluations)" "$(val "$T" loglik)" "$(val "$N" loglik)" "$(val "$G" loglik)" \
      "$(diff_ll "$(val "$T" loglik)" "$(val "$N" loglik)")" "$(diff_ll "$(val "$T" loglik)" "$(val "$G" loglik)")" \
      "$(num4 "$(val "$T" phi)")" "$(num4 "$(val "$N" phi)")" "$(num4 "$(val "$G" phi)")" \
      "$(rss_mb "$OUT/$name.tm.time")" "$(rss_mb "$OUT/$name.nlme.time")" "$(rss_mb "$OUT/$name.glmmTMB.time")" >> "$OUT/table.md"
    echo "ratio $name $(ratio "$tf" "$nl")" >> "$OUT/ratios.txt"
  done
  cat "$OUT/table.md"
  log "raw outputs in $OUT"
  cat "$OUT/ratios.txt"
  exit 0
fi

# ---- 3. Fits. ----
# key of a "key value" output file
val() { awk -v k="$2" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "$1"; }
rss_mb() { awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$1"; }

mapfile -t ALL < <(TM list-models)
mapfile -t ALL_GLMM < <(TM list-glmm-models)
mapfile -t ALL_MM < <(TM list-mm-models)
mapfile -t ALL_ORD < <(TM list-ordinal-models)
known=" $(printf '%s\n' "${ALL[@]}" "${ALL_GLMM[@]}" "${ALL_MM[@]}" "${ALL_ORD[@]}" | cut -f1 | tr '\n' ' ')"
for m in ${MODELS//,/ }; do [[ "$known" == *" $m "* ]] || { log "unknown model $m; known:$known"; exit 1; }; done
selected=()
[ "$KINDS" = glmm ] || [ "$KINDS" = mm ] || [ "$KINDS" = ordinal ] || for line in "${ALL[@]}"; do
  IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
  if [ -n "$MODELS" ]; then [[ ",$MODELS," == *",$name,"* ]] || continue
  elif [ $QUICK -eq 1 ]; then [[ "$name" == nested1m* || "$name" == insteval* ]] && continue; fi
  selected+=("$line")
done
selected_glmm=()
[ "$KINDS" = lmm ] || [ "$KINDS" = mm ] || [ "$KINDS" = ordinal ] || for line in "${ALL_GLMM[@]}"; do
  IFS=$'\t' read -r name file formula family reps rreps <<<"$line"
  if [ -n "$MODELS" ]; then [[ ",$MODELS," == *",$name,"* ]] || continue
  elif [ $QUICK -eq 1 ]; then [ "$name" = glmm-cbpp ] || continue; fi
  selected_glmm+=("$line")
done

# Multiple membership (--mm): its own models, fits and table, then stop.
if [ "$KINDS" = mm ]; then
  : > "$OUT/table.md"
  {
    echo "## Multiple membership: TypedMixed vs lme4 with the weighted Z — $(date -u +%Y-%m-%d) (run $STAMP)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before: $LOAD0"
    echo "TypedMixed: .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); R with OpenBLAS ($BLAS_OPEN)"
    echo
    echo "Times are medians of the repetitions (n), after reading the CSV. TypedMixed: design from the formula (CLI builder, not timed) then LinearMixedModel.Fit without variance-component SEs or Satterthwaite, as lmer. lme4: the sparse W, lFormula, mkLmerDevfun and optimizeLmer (what lmerMultiMember runs per fit)."
    echo
    echo "| model | n TM/lme4 | TypedMixed s | lme4 s | lme4 / TM | lme4 devfun+optimizer s | evals TM | evals lme4 | objective TM | objective lme4 | rel. diff | peak RSS TM MB | peak RSS lme4 MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  } >> "$OUT/table.md"
  : > "$OUT/ratios-mm.txt"
  for line in "${ALL_MM[@]}"; do
    IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
    if [ -n "$MODELS" ]; then [[ ",$MODELS," == *",$name,"* ]] || continue; fi
    log "$name: TypedMixed ($reps fits)"
    /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-fit "$name" --data "$DATA" --reps "$reps" --full-reps 0 > "$OUT/$name.tm.txt"
    log "$name: lme4 with the weighted Z ($rreps fits, OpenBLAS)"
    env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.lme4.time" Rscript benchmarks/lme4_mm_fit.R "$DATA/$file" "$method" "$rreps" $([[ "$formula" == *"(1 | area)"* ]] && echo area) > "$OUT/$name.lme4.txt"
    tm=$(val "$OUT/$name.tm.txt" fit_median_seconds); r=$(val "$OUT/$name.lme4.txt" fit_median_seconds)
    otm=$(val "$OUT/$name.tm.txt" objective); or=$(val "$OUT/$name.lme4.txt" objective)
    read -r ratio rel <<<"$(awk -v t="$tm" -v r="$r" -v a="$otm" -v b="$or" 'BEGIN { printf "%.2f %.1e", r / t, (a - b) / (b < 0 ? -b : b) }')"
    printf '| %s | %s | %.4g | %.4g | %s | %.4g | %s | %s | %s | %s | %s | %s | %s |\n' "$name ($method)" "$reps/$rreps" "$tm" "$r" "$ratio" \
      "$(val "$OUT/$name.lme4.txt" devfun_and_optimizer_seconds_last_fit)" \
      "$(val "$OUT/$name.tm.txt" evaluations)" "$(val "$OUT/$name.lme4.txt" evaluations)" "$otm" "$or" "$rel" \
      "$(rss_mb "$OUT/$name.tm.time")" "$(rss_mb "$OUT/$name.lme4.time")" >> "$OUT/table.md"
    echo "$name $ratio" >> "$OUT/ratios-mm.txt"
  done
  cat "$OUT/table.md"
  log "raw outputs in $OUT"
  while read -r name ratio; do echo "ratio $name $ratio"; done < "$OUT/ratios-mm.txt"
  exit 0
fi
selected_ord=()
[ "$KINDS" = ordinal ] && for line in "${ALL_ORD[@]}"; do
  IFS=$'\t' read -r name file formula reps rreps <<<"$line"
  if [ -n "$MODELS" ]; then [[ ",$MODELS," == *",$name,"* ]] || continue
  elif [ $QUICK -eq 1 ]; then [ "$name" = ordinal-wine ] || continue; fi
  selected_ord+=("$line")
done
[ ${#selected[@]} -gt 0 ] || [ ${#selected_glmm[@]} -gt 0 ] || [ ${#selected_ord[@]} -gt 0 ] || { log "no model selected"; exit 1; }

for line in "${selected[@]}"; do
  IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
  log "$name: TypedMixed ($reps fits + $FULL_REPS full)"
  /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-fit "$name" --data "$DATA" --reps "$reps" --full-reps "$FULL_REPS" "${OPTIMIZER_ARGS[@]}" > "$OUT/$name.tm.txt"
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

# --process: whole processes as a user runs them, 3 of each, alternating, under /usr/bin/time -v: `typedmixed fit`
# (start .NET, read the CSV, build the design, fit, variance-component SEs and Satterthwaite df, print the summary)
# against `Rscript lme4_process.R` (start R, load lme4, read.csv, lmer) with OpenBLAS.
PROCESS_REPS=3
if [ $PROCESS -eq 1 ] && [ ${#selected[@]} -gt 0 ]; then
  log "building src/TypedMixed.Cli (Release)"
  dotnet build -c Release src/TypedMixed.Cli/TypedMixed.Cli.csproj -v quiet -nologo >/dev/null
  CLI=src/TypedMixed.Cli/bin/Release/net10.0/TypedMixed.Cli.dll
  # The same CLI published ReadyToRun (precompiled; what `dotnet publish -r linux-x64 -p:PublishReadyToRun=true` gives a
  # user), timed beside the plain build: the difference is the JIT's share of the process.
  log "publishing src/TypedMixed.Cli ReadyToRun (Release, linux-x64)"
  R2R_DIR=benchmarks/results/$STAMP/cli-r2r
  dotnet publish -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true -o "$R2R_DIR" src/TypedMixed.Cli/TypedMixed.Cli.csproj -v quiet -nologo >/dev/null
  for line in "${selected[@]}"; do
    IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
    mflag=(); [ "$method" = ML ] && mflag=(--ml)
    for r in $(seq 1 $PROCESS_REPS); do
      log "$name: whole process $r/$PROCESS_REPS: typedmixed fit, then Rscript + lmer (OpenBLAS)"
      /usr/bin/time -v -o "$OUT/$name.proc-tm.$r.time" dotnet "$CLI" fit "$DATA/$file" "$formula" "${mflag[@]}" > "$OUT/$name.proc-tm.$r.txt"
      /usr/bin/time -v -o "$OUT/$name.proc-r2r.$r.time" "$R2R_DIR/TypedMixed.Cli" fit "$DATA/$file" "$formula" "${mflag[@]}" > "$OUT/$name.proc-r2r.$r.txt"
      env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.proc-lme4.$r.time" \
        Rscript benchmarks/lme4_process.R "$DATA/$file" "$formula" "$method" > "$OUT/$name.proc-lme4.$r.txt"
      got=$(val "$OUT/$name.proc-lme4.$r.txt" blas)
      [[ "$got" == *openblas* ]] || { log "$name: R used BLAS '$got', expected OpenBLAS"; exit 1; }
    done
  done
fi

# GLMMs: TypedMixed, glmer and glmmTMB (default settings), R with OpenBLAS (Debian's default BLAS once
# libopenblas0-pthread is installed) and the same OPENBLAS_CORETYPE as above. A TypedMixed fit that fails (e.g. the
# estimator is not there yet) is reported as n/a; the R fits still run.
for line in "${selected_glmm[@]}"; do
  IFS=$'\t' read -r name file formula family reps rreps <<<"$line"
  log "$name: TypedMixed ($reps fits + $FULL_REPS full)"
  if ! /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-glmm "$name" --data "$DATA" --reps "$reps" --full-reps "$FULL_REPS" > "$OUT/$name.tm.txt"; then
    log "$name: TypedMixed fit failed: $(val "$OUT/$name.tm.txt" error)"
  fi
  for pkg in glmer glmmTMB; do
    log "$name: $pkg ($rreps fits)"
    env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.$pkg.time" \
      Rscript benchmarks/glmm_fit.R "$pkg" "$DATA/$file" "$formula" "$family" "$rreps" > "$OUT/$name.$pkg.txt" \
      || log "$name: $pkg failed (see $OUT/$name.$pkg.txt and .time)"
    got=$(val "$OUT/$name.$pkg.txt" blas)
    [ -z "$got" ] || [[ "$got" == *openblas* ]] || { log "$name: R used BLAS '$got', expected OpenBLAS"; exit 1; }
  done
done

# Ordinal: TypedMixed and clmm (default settings, Laplace), R with OpenBLAS as for the GLMMs.
for line in "${selected_ord[@]}"; do
  IFS=$'\t' read -r name file formula reps rreps <<<"$line"
  log "$name: TypedMixed ($reps fits)"
  /usr/bin/time -v -o "$OUT/$name.tm.time" dotnet "$DLL" time-ordinal "$name" --data "$DATA" --reps "$reps" > "$OUT/$name.tm.txt" \
    || log "$name: TypedMixed fit failed: $(val "$OUT/$name.tm.txt" error)"
  log "$name: clmm ($rreps fits)"
  env "${OB_ENV[@]}" R_LD_LIBRARY_PATH="$R_OPENBLAS" /usr/bin/time -v -o "$OUT/$name.clmm.time" \
    Rscript benchmarks/ordinal_fit.R "$DATA/$file" "$formula" "$rreps" > "$OUT/$name.clmm.txt" \
    || log "$name: clmm failed (see $OUT/$name.clmm.txt and .time)"
done

if [ ${#selected[@]} -gt 0 ]; then
  log "dense Cholesky n = 1128: managed vs OpenBLAS dpotrf"
  env "${OB_ENV[@]}" dotnet "$DLL" dense-cholesky --n 1128 --reps 15 > "$OUT/dense-cholesky.txt"
fi
END=$(date +%s)

# ---- 4. Report. ----
: > "$OUT/table.md"; : > "$OUT/ratios-process.txt"; : > "$OUT/ratios-process-r2r.txt"; : > "$OUT/ratios.txt"; : > "$OUT/ratios-glmm.txt"; : > "$OUT/ratios-ordinal.txt"
fail=0
if [ ${#selected[@]} -gt 0 ]; then
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
  } >> "$OUT/table.md"
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
fi

# b / a with 2 decimals, n/a when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a + 0 == 0) print "n/a"; else printf "%.2f", b / a }'; }
# a − b in %.2e, n/a when either is missing.
diff_ll() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "n/a"; else printf "%.2e", a - b }'; }
num4() { [ -n "$1" ] && printf '%.4g' "$1" || echo "n/a"; }
if [ $PROCESS -eq 1 ] && [ ${#selected[@]} -gt 0 ]; then
  # Wall-clock seconds of a /usr/bin/time -v file ("h:mm:ss" or "m:ss.ss").
  wall() { awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$1"; }
  median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
  {
    echo
    echo "Whole processes (--process), $PROCESS_REPS of each, alternating; wall-clock seconds from /usr/bin/time -v, median (all runs in brackets). TypedMixed: \`typedmixed fit DATA FORMULA\` (start .NET, read the CSV, build the design, fit, SEs of the variance components, Satterthwaite df, print the summary). lme4: \`Rscript lme4_process.R\` (start R, library(lme4), read.csv, lmer) with OpenBLAS. Peak RSS: median over the runs."
    echo
    echo "| model | typedmixed fit s | Rscript + lmer (OpenBLAS) s | lme4 / TM | typedmixed fit, ReadyToRun publish s | lme4 / TM ReadyToRun | peak RSS TM MB | peak RSS R MB |"
    echo "|---|---|---|---|---|---|---|---|"
  } >> "$OUT/table.md"
  for line in "${selected[@]}"; do
    IFS=$'\t' read -r name file formula method reps rreps <<<"$line"
    tms=(); rs=(); r2s=()
    for r in $(seq 1 $PROCESS_REPS); do tms+=("$(wall "$OUT/$name.proc-tm.$r.time")"); rs+=("$(wall "$OUT/$name.proc-lme4.$r.time")"); r2s+=("$(wall "$OUT/$name.proc-r2r.$r.time")"); done
    tmm=$(echo "${tms[*]}" | median); rmed=$(echo "${rs[*]}" | median); r2m=$(echo "${r2s[*]}" | median)
    rp=$(ratio "$tmm" "$rmed"); rp2=$(ratio "$r2m" "$rmed")
    rss_tm=$(for r in $(seq 1 $PROCESS_REPS); do rss_mb "$OUT/$name.proc-tm.$r.time"; echo; done | median)
    rss_r=$(for r in $(seq 1 $PROCESS_REPS); do rss_mb "$OUT/$name.proc-lme4.$r.time"; echo; done | median)
    printf '| %s | %s (%s) | %s (%s) | %s | %s (%s) | %s | %s | %s |\n' "$name ($method)" "$tmm" "${tms[*]}" "$rmed" "${rs[*]}" "$rp" "$r2m" "${r2s[*]}" "$rp2" "$rss_tm" "$rss_r" >> "$OUT/table.md"
    echo "$name $rp" >> "$OUT/ratios-process.txt"
    echo "$name $rp2" >> "$OUT/ratios-process-r2r.txt"
  done
fi
if [ ${#selected_glmm[@]} -gt 0 ]; then
  GFIRST=${selected_glmm[0]%%$'\t'*}
  {
    [ ${#selected[@]} -gt 0 ] && echo
    echo "## TypedMixed vs glmer and glmmTMB — $(date -u +%Y-%m-%d) (run $STAMP, $((END - START)) s for the whole run)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "TypedMixed: .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(val "$OUT/$GFIRST.glmer.txt" package) and $(val "$OUT/$GFIRST.glmmTMB.txt" package) (TMB $(val "$OUT/$GFIRST.glmmTMB.txt" tmb)), $(val "$OUT/$GFIRST.glmer.txt" r)"
    echo "R's BLAS: $BLAS_OPEN (OPENBLAS_CORETYPE=${OB_CORE:-unset})"
    echo
    echo "Times are medians of the repetitions (n) after warm-up, the fit call only (CSV reading excluded). TypedMixed: GeneralizedLinearMixedModel.Fit with the defaults except no variance-component SEs (glmer computes none; both compute the finite-difference Hessian for the fixed-effect SEs); 'full' = the library's defaults. glmer and glmmTMB: default settings (Laplace). Evaluations: TypedMixed all of its optimizer's; glmer stage 1 (bobyqa, nAGQ = 0) + stage 2 (Nelder-Mead), not the convergence check's derivatives; glmmTMB nlminb's function/gradient evaluations. 'glmer tight' = glmer's Laplace log-likelihood re-evaluated at its estimates with PIRLS to tolPwrss = 1e-12 (glmer stops PIRLS at 1e-7). Peak RSS = maximum resident set size of the whole process (reading the CSV included)."
    echo
    echo "| model | rows | n TM/glmer/glmmTMB | TypedMixed s | glmer s | glmmTMB s | glmer / TM | glmmTMB / TM | evals TM | evals glmer (stage 1+2) | evals glmmTMB (fn/gr) | logLik TM | logLik glmer | logLik glmer tight | logLik glmmTMB | TM − glmer | TM − glmer tight | TM − glmmTMB | TM full s | peak RSS TM MB (after CSV load) | peak RSS glmer MB | peak RSS glmmTMB MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  } >> "$OUT/table.md"
  for line in "${selected_glmm[@]}"; do
    IFS=$'\t' read -r name file formula family reps rreps <<<"$line"
    T="$OUT/$name.tm.txt"; G="$OUT/$name.glmer.txt"; B="$OUT/$name.glmmTMB.txt"
    tm=$(val "$T" fit_median_seconds); gl=$(val "$G" fit_median_seconds); tb=$(val "$B" fit_median_seconds)
    ltm=$(val "$T" loglik); lgl=$(val "$G" loglik); lglt=$(val "$G" loglik_tight); ltb=$(val "$B" loglik)
    rg=$(ratio "$tm" "$gl"); rb=$(ratio "$tm" "$tb")
    full=$(val "$T" full_fit_median_seconds)
    tmcell=$(num4 "$tm"); [ -z "$tm" ] && tmcell="n/a ($(val "$T" error | cut -c1-60))"
    after=$(val "$T" peak_working_set_after_load_bytes)
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
      "$name ($family)" "$(val "$G" rows)" "$reps/$rreps/$rreps" "$tmcell" "$(num4 "$gl")" "$(num4 "$tb")" "$rg" "$rb" \
      "$(val "$T" evaluations | grep . || echo n/a)" "$(val "$G" evaluations) ($(val "$G" evaluations_by_stage | tr ' ' '+'))" \
      "$(val "$B" evaluations)/$(val "$B" gradient_evaluations)" \
      "${ltm:-n/a}" "$lgl" "$lglt" "$ltb" "$(diff_ll "$ltm" "$lgl")" "$(diff_ll "$ltm" "$lglt")" "$(diff_ll "$ltm" "$ltb")" \
      "$(num4 "$full")" "$(rss_mb "$OUT/$name.tm.time") ($(awk -v b="$after" 'BEGIN { if (b == "") print "?"; else printf "%.0f", b / 1048576 }'))" \
      "$(rss_mb "$OUT/$name.glmer.time")" "$(rss_mb "$OUT/$name.glmmTMB.time")" >> "$OUT/table.md"
    echo "$name $rg" >> "$OUT/ratios-glmm.txt"
  done
  {
    echo
    for line in "${selected_glmm[@]}"; do
      name=${line%%$'\t'*}
      for f in tm glmer glmmTMB; do
        w=$(val "$OUT/$name.$f.txt" warnings); m=$(val "$OUT/$name.$f.txt" messages)
        [ "$f" = tm ] && m=$(val "$OUT/$name.$f.txt" optimizer_message)
        [ -n "$w$m" ] && echo "- $name, $f: ${w:+warnings: $w}${w:+${m:+; }}${m:+messages: $m}"
      done
    done
  } >> "$OUT/table.md"
fi
if [ ${#selected_ord[@]} -gt 0 ]; then
  OFIRST=${selected_ord[0]%%$'\t'*}
  {
    echo "## TypedMixed vs ordinal::clmm — $(date -u +%Y-%m-%d) (run $STAMP, $((END - START)) s for the whole run)"
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load before/after: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "TypedMixed: .NET $(dotnet --version), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'); $(val "$OUT/$OFIRST.clmm.txt" package), $(val "$OUT/$OFIRST.clmm.txt" r)"
    echo
    echo "Times are medians of the repetitions (n) after warm-up, the fit call only (CSV reading excluded). TypedMixed: OrdinalMixedModel.Fit with the defaults (Laplace; SEs of thresholds, β and variances from the Hessian). clmm: default settings (Laplace, nlminb). Evaluations: TypedMixed all of its optimizer's; clmm nlminb's function evaluations."
    echo
    echo "| model | rows | n TM/clmm | TypedMixed s | clmm s | clmm / TM | evals TM | evals clmm | logLik TM | logLik clmm | TM − clmm | peak RSS TM MB | peak RSS clmm MB |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  } >> "$OUT/table.md"
  for line in "${selected_ord[@]}"; do
    IFS=$'\t' read -r name file formula reps rreps <<<"$line"
    T="$OUT/$name.tm.txt"; C="$OUT/$name.clmm.txt"
    tm=$(val "$T" fit_median_seconds); cl=$(val "$C" fit_median_seconds)
    ltm=$(val "$T" loglik); lcl=$(val "$C" loglik)
    rc=$(ratio "$tm" "$cl")
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
      "$name" "$(val "$T" rows)" "$reps/$rreps" "$(num4 "$tm")" "$(num4 "$cl")" "$rc" "$(val "$T" evaluations)" "$(val "$C" evaluations)" \
      "${ltm:-n/a}" "${lcl:-n/a}" "$(diff_ll "$ltm" "$lcl")" "$(rss_mb "$OUT/$name.tm.time")" "$(rss_mb "$OUT/$name.clmm.time")" >> "$OUT/table.md"
    echo "$name $rc" >> "$OUT/ratios-ordinal.txt"
  done
fi
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
# --process: Rscript + lmer wall time / typedmixed fit wall time.
while read -r name rp; do echo "ratio-process $name $rp"; done < "$OUT/ratios-process.txt"
while read -r name rp; do echo "ratio-process-r2r $name $rp"; done < "$OUT/ratios-process-r2r.txt"
# The GLMMs: glmer time / TypedMixed time.
while read -r name rg; do echo "ratio $name $rg"; done < "$OUT/ratios-glmm.txt"
# The ordinal models: clmm time / TypedMixed time.
while read -r name rc; do echo "ratio $name $rc"; done < "$OUT/ratios-ordinal.txt"
