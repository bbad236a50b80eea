# Reference fits of lme with residual correlation and variance functions (issue 12), for tests/TypedMixed.Tests/Residual.
# sleep_slope_ar1_ML: nlminb stops with "singular convergence" and optim BFGS at -866.2365; Nelder-Mead (used) reaches
# -866.2102 and glmmTMB ar1 (dispformula = ~0) -866.2108: the random-effects correlation is near 1, a flat ridge.
# Run once from tests/Data:  Rscript reference/scripts/residual_structures.R
suppressPackageStartupMessages({ library(nlme); library(jsonlite) })
sleep <- read.csv("reference/sleepstudy.csv")
sleep$Subject <- factor(sleep$Subject, levels = unique(sleep$Subject))
exam <- read.csv("reference/Exam.csv")
exam$school <- factor(exam$school, levels = unique(exam$school))
exam$sex <- factor(exam$sex, levels = c("F", "M"))
# A sleepstudy with gaps: drop days 2 and 5 of every third subject, and day 8 of the others (rows stay in time order).
idx <- as.integer(sleep$Subject)
gaps <- sleep[!((idx %% 3 == 0 & sleep$Days %in% c(2, 5)) | (idx %% 3 != 0 & sleep$Days == 8)), ]
ctrl <- lmeControl(msMaxIter = 500, maxIter = 500)
fits <- list(
  sleep_slope_ar1_ML = function() lme(Reaction ~ Days, random = ~ Days | Subject, data = sleep, correlation = corAR1(form = ~ Days | Subject), method = "ML", control = lmeControl(opt = "optim", optimMethod = "Nelder-Mead", msMaxIter = 5000, maxIter = 1000)),
  sleep_ri_ar1_REML = function() lme(Reaction ~ Days, random = ~ 1 | Subject, data = sleep, correlation = corAR1(form = ~ Days | Subject), method = "REML", control = ctrl),
  sleep_gaps_car1_ML = function() lme(Reaction ~ Days, random = ~ 1 | Subject, data = gaps, correlation = corCAR1(form = ~ Days | Subject), method = "ML", control = ctrl),
  sleep_gaps_ar1_ML = function() lme(Reaction ~ Days, random = ~ 1 | Subject, data = gaps, correlation = corAR1(form = ~ Days | Subject), method = "ML", control = ctrl),
  sleep_varexp_ML = function() lme(Reaction ~ Days, random = ~ 1 | Subject, data = sleep, weights = varExp(form = ~ Days), method = "ML", control = ctrl),
  sleep_varpower_REML = function() lme(Reaction ~ Days, random = ~ 1 | Subject, data = transform(sleep, D1 = Days + 1), weights = varPower(form = ~ D1), method = "REML", control = ctrl),
  exam_varident_REML = function() lme(normexam ~ standLRT + sex, random = ~ 1 | school, data = exam, weights = varIdent(form = ~ 1 | sex), method = "REML", control = ctrl)
)
out <- lapply(names(fits), function(nm) {
  f <- fits[[nm]]()
  cs <- f$modelStruct$corStruct
  vf <- f$modelStruct$varStruct
  list(name = nm, call = paste(deparse(f$call), collapse = " "),
       software = sprintf("nlme %s, %s", packageVersion("nlme"), R.version.string),
       rows_dropped_note = if (grepl("gaps", nm)) "sleepstudy without Days 2 and 5 of subjects 3, 6, 9, ... (order of first appearance) and without Day 8 of the others" else NULL,
       nobs = f$dims$N, logLik = as.numeric(logLik(f)), df = attr(logLik(f), "df"),
       beta = unname(fixef(f)), beta_se = unname(sqrt(diag(vcov(f)))),
       sigma2 = f$sigma^2, re_cov = { m <- getVarCov(f); matrix(as.numeric(m), nrow(m)) },
       phi = if (is.null(cs)) NULL else unname(coef(cs, unconstrained = FALSE)),
       varfun = if (is.null(vf)) NULL else as.list(coef(vf, unconstrained = FALSE, allCoef = FALSE)),
       # nlme's approximate 95 % intervals (Wald on its unconstrained scale, from the numerical Hessian: apVar).
       intervals = tryCatch({
         iv <- intervals(f, which = "var-cov")
         list(corStruct = if (is.null(iv$corStruct)) NULL else unname(iv$corStruct[1, ]),
              varStruct = if (is.null(iv$varStruct)) NULL else lapply(split(iv$varStruct, seq_len(nrow(iv$varStruct))), unname))
       }, error = function(e) conditionMessage(e)),
       # Model-implied marginal covariance of the response for the first subject/school (getVarCov type "marginal").
       marginal_first_group = { m <- getVarCov(f, individual = levels(f$groups[[1]])[1], type = "marginal")[[1]]; if (nrow(m) <= 12) matrix(as.numeric(m), nrow(m)) else NULL })
})
names(out) <- names(fits)
writeLines(toJSON(out, auto_unbox = TRUE, pretty = TRUE, digits = NA, null = "null"), "reference/fits/residual_structures_nlme.json")
