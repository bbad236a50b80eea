# The R side of compare.sh --residual: Rscript residual_fit.R nlme|glmmTMB MODEL DATA.csv REPS
# Fits the named model (the same as benchmarks/TypedMixed.Benchmarks/Harness/ResidualFitTimer.cs) by ML, REPS times
# after a warm-up on sleepstudy, timing the fit call only (system.time), and prints "key value" lines: versions, times,
# log-likelihood, phi, fixed effects. nlme: lme(..., correlation = corAR1(form = ~ time | cluster), method = "ML") with
# its default control (which computes apVar, the approximate covariance of the variance parameters). glmmTMB: the
# same model with the AR(1) as an ar1() random term over the occasions and the residual variance fixed at ~0
# (dispformula = ~0), its documented way to put AR(1) on the residual.
args <- commandArgs(trailingOnly = TRUE)
pkg <- args[[1]]; model <- args[[2]]; path <- args[[3]]; reps <- as.integer(args[[4]])
stopifnot(pkg %in% c("nlme", "glmmTMB"), reps >= 1)
p <- function(key, value) cat(key, " ", paste(value, collapse = " "), "\n", sep = "")
num <- function(x) sprintf("%.17g", x)
suppressPackageStartupMessages({ library(nlme); if (pkg == "glmmTMB") library(glmmTMB) })
p("package", paste(pkg, packageVersion(pkg)))
p("r", R.version.string)
spec <- switch(model,
  "resid-sleepstudy-ar1" = list(y = "Reaction", t = "Days", g = "Subject", slope = FALSE),
  "resid-long100k-ar1" = list(y = "y", t = "time", g = "id", slope = TRUE),
  stop("unknown model ", model))
read <- function(file, s) {
  d <- read.csv(file, stringsAsFactors = FALSE)
  d[[s$g]] <- factor(d[[s$g]], levels = unique(d[[s$g]]))
  d$occasion <- factor(d[[s$t]])
  d
}
fit_once <- function(d, s) {
  fixed <- as.formula(paste(s$y, "~", s$t))
  if (pkg == "nlme") {
    random <- as.formula(paste(if (s$slope) paste("~", s$t) else "~ 1", "|", s$g))
    lme(fixed, random = random, data = d, method = "ML",
        correlation = corAR1(form = as.formula(paste("~", s$t, "|", s$g))))
  } else {
    re <- paste0("(", if (s$slope) s$t else "1", " | ", s$g, ")")
    f <- as.formula(paste(s$y, "~", s$t, "+", re, "+ ar1(occasion + 0 |", s$g, ")"))
    glmmTMB(f, data = d, REML = FALSE, dispformula = ~0)
  }
}
warm <- list(y = "Reaction", t = "Days", g = "Subject", slope = FALSE)
invisible(fit_once(read(file.path(dirname(path), "sleepstudy.csv"), warm), warm))
data <- read(path, spec)
p("rows", nrow(data))
times <- numeric(reps); fit <- NULL; warn <- character(0)
for (i in seq_len(reps)) {
  fit <- NULL; invisible(gc(verbose = FALSE))
  times[i] <- system.time(fit <- withCallingHandlers(fit_once(data, spec),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") }))[["elapsed"]]
}
p("fit_seconds", num(times))
p("fit_median_seconds", num(median(times)))
p("loglik", num(as.numeric(logLik(fit))))
if (pkg == "nlme") {
  p("phi", num(coef(fit$modelStruct$corStruct, unconstrained = FALSE)))
  p("fixef", num(fixef(fit)))
} else {
  p("phi", num(attr(VarCorr(fit)$cond[[2]], "correlation")[1, 2]))
  p("fixef", num(fixef(fit)$cond))
}
p("warnings", paste(unique(gsub("\\s+", " ", warn)), collapse = "; "))
