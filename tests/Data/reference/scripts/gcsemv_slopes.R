# Reference fit for issue 14 (multivariate responses, random slopes per response):
#   Rscript tests/Data/reference/scripts/gcsemv_slopes.R tests/Data/reference/Gcsemv.csv OUT.json
# Gcsemv stacked to one row per pupil x observed score (sorted by pupil, then written before course), fitted by ML with
#   lme(score ~ 0 + resp + resp:female, random = ~ 0 + resp + resp:female | school,
#       weights = varIdent(~ 1 | resp), correlation = corSymm(~ 1 | school/pupil))
# i.e. per response an intercept and a slope of female at school (4 x 4 unstructured school covariance), a residual
# variance per response and the within-pupil correlation. Optimizer tolerances are tightened so the optimum is pinned.
args <- commandArgs(trailingOnly = TRUE)
suppressPackageStartupMessages(library(nlme))
w <- read.csv(args[[1]], stringsAsFactors = FALSE)
w$female <- as.numeric(w$gender == "F")
w$pupil <- seq_len(nrow(w))
long <- rbind(
  data.frame(school = w$school, pupil = w$pupil, female = w$female, resp = "written", score = w$written),
  data.frame(school = w$school, pupil = w$pupil, female = w$female, resp = "course", score = w$course))
long <- long[!is.na(long$score), ]
long <- long[order(long$pupil, match(long$resp, c("written", "course"))), ]
long$resp <- factor(long$resp, levels = c("written", "course"))
long$school <- factor(long$school, levels = unique(w$school))
ctrl <- lmeControl(maxIter = 500, msMaxIter = 500, niterEM = 50, msMaxEval = 2000, tolerance = 1e-10,
                   msTol = 1e-12, relStep = 1e-8, opt = "nlminb")
t <- system.time(fit <- lme(score ~ 0 + resp + resp:female, random = ~ 0 + resp + resp:female | school, data = long,
  weights = varIdent(form = ~ 1 | resp), correlation = corSymm(form = ~ 1 | school/pupil), method = "ML",
  control = ctrl))[["elapsed"]]
G <- getVarCov(fit)
ratio <- c(1, coef(fit$modelStruct$varStruct, unconstrained = FALSE))
rho <- coef(fit$modelStruct$corStruct, unconstrained = FALSE)
sdv <- fit$sigma * ratio
S <- matrix(c(sdv[1]^2, rho * sdv[1] * sdv[2], rho * sdv[1] * sdv[2], sdv[2]^2), 2)
num <- function(x) paste(sprintf("%.17g", x), collapse = ", ")
mat <- function(m) paste0("[", paste(apply(m, 1, function(r) paste0("[", num(r), "]")), collapse = ", "), "]")
ll <- logLik(fit)
out <- c("{",
  '  "name": "gcsemv_slopes_ML",',
  sprintf('  "software": "nlme %s (lme), %s",', packageVersion("nlme"), R.version.string),
  '  "random_names": [', paste0('    ', paste0('"', colnames(G), '"', collapse = ", ")), '  ],',
  sprintf('  "logLik": %s,', num(as.numeric(ll))),
  sprintf('  "logLik_df": %d,', attr(ll, "df")),
  sprintf('  "nobs": %d,', nrow(long)),
  sprintf('  "fixed_names": [%s],', paste0('"', names(fixef(fit)), '"', collapse = ", ")),
  sprintf('  "fixed_estimate": [%s],', num(fixef(fit))),
  sprintf('  "fixed_std_error": [%s],', num(sqrt(diag(vcov(fit))))),
  sprintf('  "school_cov": %s,', mat(unclass(G)[, , drop = FALSE])),
  sprintf('  "residual_cov": %s,', mat(S)),
  sprintf('  "fit_seconds": %s', num(t)),
  "}")
writeLines(out, args[[2]])
