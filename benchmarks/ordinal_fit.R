# The R side of the ordinal rows of compare.sh: Rscript ordinal_fit.R DATA.csv FORMULA REPS
# Reads the CSV (not timed; the response as an ordered factor in R's factor order, grouping columns as factors),
# warms up on ordinal's wine, then times REPS calls of ordinal::clmm() with its default settings (Laplace;
# system.time() around the call only) and prints "key value" lines: versions, times, evaluations, log-likelihood,
# estimates.
args <- commandArgs(trailingOnly = TRUE)
path <- args[[1]]; formula <- as.formula(args[[2]]); reps <- as.integer(args[[3]])
stopifnot(reps >= 1)
p <- function(key, value) cat(key, " ", gsub("\\s*\n\\s*", " ", paste(value, collapse = " ")), "\n", sep = "")
num <- function(x) sprintf("%.17g", x)
suppressPackageStartupMessages(library(ordinal))
p("blas", extSoftVersion()[["BLAS"]])
p("package", paste("ordinal", packageVersion("ordinal")))
p("r", R.version.string)
t0 <- proc.time()[["elapsed"]]
data <- read.csv(path, stringsAsFactors = TRUE)
response <- all.vars(formula)[1]
data[[response]] <- factor(data[[response]], ordered = TRUE)
p("load_seconds", num(proc.time()[["elapsed"]] - t0))
p("rows", nrow(data))
invisible(clmm(rating ~ temp + contact + (1 | judge), data = wine))
times <- numeric(reps); fit <- NULL; warn <- character(0)
for (i in seq_len(reps)) {
  fit <- NULL; invisible(gc(verbose = FALSE))
  times[i] <- system.time(fit <- withCallingHandlers(clmm(formula, data = data),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") }))[["elapsed"]]
}
p("fit_seconds", num(times))
p("fit_median_seconds", num(median(times)))
p("loglik", num(as.numeric(logLik(fit))))
p("evaluations", fit$optRes$evaluations[["function"]])
p("thresholds", num(fit$alpha))
p("fixef", num(fit$beta))
p("sd", num(sapply(VarCorr(fit), function(v) attr(v, "stddev"))))
p("warnings", paste(unique(gsub("\\s+", " ", warn)), collapse = "; "))
