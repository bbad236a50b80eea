#!/usr/bin/env bash
# Profile-likelihood intervals and the parametric bootstrap (issue 16): TypedMixed's CLI against lme4 on the same CSV
# files, compute time only on both sides (lme4: system.time around confint(profile(fit)) and bootMer; TypedMixed: the
# seconds the CLI reports for the profile or the bootstrap, after its fit).
#
#   benchmarks/inference.sh [--nsim N]     (default 500 bootstrap replicates)
#
# Prints `<side> <task> <seconds>` lines, then `ratio <task> <lme4 / TypedMixed>`. TypedMixed's bootstrap uses every
# core; lme4's bootMer is timed serial (its default) and with parallel = "multicore" on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
NSIM=500
while [ $# -gt 0 ]; do
  case "$1" in
    --nsim) NSIM="$2"; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "inference.sh: unknown argument $1" >&2; exit 1 ;;
  esac
done
DATA=tests/Data/reference
dotnet build src/TypedMixed.Cli -c Release -v q -nologo >/dev/null
CLI="dotnet src/TypedMixed.Cli/bin/Release/net10.0/TypedMixed.Cli.dll"
out=$(mktemp -d)
ours() { # task, then the CLI arguments; the seconds come from the CLI's closing line on stderr
  local task=$1; shift
  $CLI "$@" >"$out/$task.out" 2>"$out/$task.err"
  local s
  s=$(grep -Eo '(profiled [0-9]+ parameters|bootstrap [0-9]+ replicates \([0-9]+ failed\), seed [-0-9]+), [0-9.]+ s' "$out/$task.err" | grep -Eo '[0-9.]+ s$' | tr -d ' s')
  echo "typedmixed $task $s"
}
{
  ours profile-sleepstudy confint $DATA/sleepstudy.csv "Reaction ~ Days + (Days | Subject)" --method profile
  ours profile-penicillin confint $DATA/Penicillin.csv "diameter ~ 1 + (1 | plate) + (1 | sample)" --method profile
  ours profile-exam confint $DATA/Exam.csv "normexam ~ standLRT + sex + schgend + (1 | school)" --ml --method profile
  ours boot-sleepstudy confint $DATA/sleepstudy.csv "Reaction ~ Days + (Days | Subject)" --method boot --nsim "$NSIM" --seed 1
  Rscript benchmarks/inference_lme4.R $DATA "$NSIM"
} | tee "$out/times.txt"
awk '$1 == "typedmixed" { t[$2] = $3 } $1 == "lme4" { l[$2] = $3 }
     END {
       split("profile-sleepstudy profile-penicillin profile-exam", p, " ")
       for (i = 1; i <= 3; i++) printf "ratio %s %.1f\n", p[i], l[p[i]] / t[p[i]]
       printf "ratio boot-sleepstudy-vs-serial %.1f\n", l["boot-sleepstudy-serial"] / t["boot-sleepstudy"]
       printf "ratio boot-sleepstudy-vs-2cores %.1f\n", l["boot-sleepstudy-2cores"] / t["boot-sleepstudy"]
     }' "$out/times.txt"
