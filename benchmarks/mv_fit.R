# The R side of compare.sh --mv: Rscript mv_fit.R MODEL DATA.csv REPS
# Fits the bivariate model of benchmarks/TypedMixed.Benchmarks/Harness/MultivariateFitTimer.cs with nlme, REPS times
# after a warm-up on Gcsemv, timing the fit call only (system.time), and prints "key value" lines. The wide file (one row
# per pupil; NA = missing score) is stacked to one row per pupil x observed score, sorted by pupil then response, and
# fitted as the reference fit gcsemv_bivariate_ML does:
#   lme(score ~ 0 + resp + resp:female, random = ~ 0 + resp | school, weights = varIdent(~ 1 | resp),
#       correlation = corSymm(~ 1 | school/pupil), method = "ML")
# (nlme's spelling of a multivariate model: response-specific means and school effects, a variance per response and
# the within-pupil correlation), with lme's default control (which computes apVar). Models named *-slopes use
#   random = ~ 0 + resp + resp:female | school (a school slope of female per response; 4 x 4 school covariance).
args <- commandArgs(trailingOnly = TRUE)
model <- args[[1]]; path <- args[[2]]; reps <- as.integer(args[[3]])
stopifnot(reps >= 1)
p <- function(key, value) cat(key, " ", paste(value, collapse = " "), "\n", sep = "")
num <- function(x) sprintf("%.17g", x)
suppressPackageStartupMessages(library(nlme))
p("package", paste("nlme", packageVersion("nlme")))
p("r", R.version.string)
stack_wide <- function(file) {
  w <- read.csv(file, stringsAsFactors = FALSE)
  second <- if ("course" %in% names(w)) "course" else "csework"
  if (!"female" %in% names(w)) w$female <- as.numeric(w$gender == "F")
  w$pupil <- seq_len(nrow(w))
  long <- rbind(
    data.frame(school = w$school, pupil = w$pupil, female = w$female, resp = "written", score = w$written),
    data.frame(school = w$school, pupil = w$pupil, female = w$female, resp = second, score = w[[second]]))
  long <- long[!is.na(long$score), ]
  long <- long[order(long$pupil, match(long$resp, c("written", second))), ]
  long$resp <- factor(long$resp, levels = c("written", second))
  long$school <- factor(long$school, levels = unique(w$school))
  long
}
# Models named *-slopes add a school slope of female per response: random = ~ 0 + resp + resp:female | school.
slopes <- grepl("-slopes", model, fixed = TRUE)
fit_once <- function(d, random = if (slopes) ~ 0 + resp + resp:female | school else ~ 0 + resp | school) {
  lme(score ~ 0 + resp + resp:female, random = random, data = d,
      weights = varIdent(form = ~ 1 | resp), correlation = corSymm(form = ~ 1 | school/pupil), method = "ML")
}
invisible(fit_once(stack_wide(file.path(dirname(path), "Gcsemv.csv")), random = ~ 0 + resp | school))
data <- stack_wide(path)
p("rows", nrow(data))
times <- numeric(reps); fit <- NULL; warn <- character(0)
for (i in seq_len(reps)) {
  fit <- NULL; invisible(gc(verbose = FALSE))
  times[i] <- system.time(fit <- withCallingHandlers(fit_once(data),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") }))[["elapsed"]]
}
p("fit_seconds", num(times))
p("fit_median_seconds", num(median(times)))
p("loglik", num(as.numeric(logLik(fit))))
p("fixef", num(fixef(fit)))
G <- getVarCov(fit)
p("school_cov", num(as.numeric(G)))
ratio <- c(1, coef(fit$modelStruct$varStruct, unconstrained = FALSE))
rho <- coef(fit$modelStruct$corStruct, unconstrained = FALSE)
sdv <- fit$sigma * ratio
p("residual_cov", num(c(sdv[1]^2, rho * sdv[1] * sdv[2], rho * sdv[1] * sdv[2], sdv[2]^2)))
p("warnings", paste(unique(gsub("\\s+", " ", warn)), collapse = "; "))
