# The lme4 side of compare.sh: Rscript lme4_fit.R DATA.csv FORMULA REML|ML REPS
# Reads the CSV (not timed), warms up on lme4's sleepstudy, then times REPS lmer() calls with system.time() around
# lmer only, and prints "key value" lines: the BLAS/LAPACK R actually loaded, times, evaluations, objective, theta.
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
path <- args[[1]]; formula <- as.formula(args[[2]]); reml <- args[[3]] == "REML"; reps <- as.integer(args[[4]])
p <- function(key, value) cat(key, " ", paste(value, collapse = " "), "\n", sep = "")
num <- function(x) sprintf("%.17g", x)

p("blas", extSoftVersion()[["BLAS"]])
p("lapack", La_library())
p("lme4", as.character(packageVersion("lme4")))
p("r", R.version.string)

t0 <- proc.time()[["elapsed"]]
data <- read.csv(path, stringsAsFactors = FALSE)
p("load_seconds", num(proc.time()[["elapsed"]] - t0))
p("rows", nrow(data))

invisible(lmer(Reaction ~ Days + (Days | Subject), sleepstudy))   # warm-up: byte-compile and load lme4's code paths

times <- numeric(reps)
fit <- NULL
for (i in seq_len(reps)) {
  fit <- NULL; invisible(gc(verbose = FALSE))
  times[i] <- system.time(fit <- lmer(formula, data = data, REML = reml))[["elapsed"]]
}
p("fit_seconds", num(times))
p("fit_median_seconds", num(median(times)))
p("evaluations", fit@optinfo$feval)
p("objective", num(if (reml) REMLcrit(fit) else deviance(fit)))
p("theta", num(getME(fit, "theta")))
p("optimizer", fit@optinfo$optimizer)
p("messages", paste(c(fit@optinfo$message, unlist(fit@optinfo$conv$lme4$messages)), collapse = "; "))
