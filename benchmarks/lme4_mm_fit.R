# The lme4 side of compare.sh --mm: Rscript lme4_mm_fit.R DATA.csv REML|ML REPS [area]
# A multiple-membership random intercept fitted as the lmerMultiMember package builds it: lFormula(y ~ x + (1 | school))
# with the school term's Zt (and Ztlist) replaced by the weighted membership matrix W' (schools x pupils,
# W[i, s] = weight of school s for pupil i), then mkLmerDevfun + optimizeLmer (lmerControl() defaults). Reads the CSV
# (not timed), warms up on sleepstudy, then times REPS fits (W built, lFormula, devfun, optimizer: everything after
# reading) and prints "key value" lines as lme4_fit.R does; devfun_and_optimizer_seconds_last_fit is the part after
# lFormula and the W replacement (mkLmerDevfun + optimizeLmer) of the last fit.
suppressPackageStartupMessages({ library(lme4); library(Matrix) })
args <- commandArgs(trailingOnly = TRUE)
path <- args[[1]]; reml <- args[[2]] == "REML"; reps <- as.integer(args[[3]])
with_area <- length(args) >= 4 && args[[4]] == "area"   # + (1 | area), crossed with the membership term
p <- function(key, value) cat(key, " ", paste(value, collapse = " "), "\n", sep = "")
num <- function(x) sprintf("%.17g", x)

p("blas", extSoftVersion()[["BLAS"]])
p("lapack", La_library())
p("lme4", as.character(packageVersion("lme4")))
p("r", R.version.string)

t0 <- proc.time()[["elapsed"]]
data <- read.csv(path)
p("load_seconds", num(proc.time()[["elapsed"]] - t0))
p("rows", nrow(data))

fit_mm <- function(data, reml, with_area) {
  s <- c("school1", "school2", "school3"); w <- c("w1", "w2", "w3")
  levels <- sort(unique(unlist(lapply(s, function(c) data[[c]][!is.na(data[[c]])]))))
  data$school <- factor(data$school1, levels = levels)
  i <- integer(0); j <- integer(0); x <- numeric(0)
  for (k in seq_along(s)) {
    present <- !is.na(data[[s[k]]])
    i <- c(i, which(present)); j <- c(j, match(data[[s[k]]][present], levels)); x <- c(x, data[[w[k]]][present])
  }
  Wt <- sparseMatrix(i = j, j = i, x = x, dims = c(length(levels), nrow(data)))
  if (with_area) data$area <- factor(data$area)
  lf <- lFormula(if (with_area) y ~ x + (1 | school) + (1 | area) else y ~ x + (1 | school), data = data, REML = reml)
  k <- which(names(lf$reTrms$cnms) == "school")
  lf$reTrms$Ztlist[[k]] <- as(Wt, "CsparseMatrix")
  lf$reTrms$Zt <- do.call(rbind, lf$reTrms$Ztlist)
  t1 <- proc.time()[["elapsed"]]
  devfun <- do.call(mkLmerDevfun, lf)
  opt <- optimizeLmer(devfun)
  list(opt = opt, devfun = devfun, optimize_seconds = proc.time()[["elapsed"]] - t1)
}

invisible(lmer(Reaction ~ Days + (Days | Subject), sleepstudy))   # warm-up

times <- numeric(reps)
res <- NULL
for (r in seq_len(reps)) {
  res <- NULL; invisible(gc(verbose = FALSE))
  times[r] <- system.time(res <- fit_mm(data, reml, with_area))[["elapsed"]]
}
p("fit_seconds", num(times))
p("fit_median_seconds", num(median(times)))
p("devfun_and_optimizer_seconds_last_fit", num(res$optimize_seconds))
p("evaluations", res$opt$feval)
p("objective", num(res$opt$fval))
p("theta", num(res$opt$par))
p("optimizer", "nloptwrap")
