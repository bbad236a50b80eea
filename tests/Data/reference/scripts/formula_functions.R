# Reference values for formula functions, prior weights and offsets in linear mixed models.
# Run once from tests/Data/reference:  Rscript scripts/formula_functions.R
# Writes Oxboys.csv, sleepstudy_weights.csv, modelmatrix/formula_functions.json and fits/*.json (see PROVENANCE.md).
suppressPackageStartupMessages({ library(lme4); library(nlme); library(jsonlite) })
software <- sprintf("lme4 %s (lmer), %s", packageVersion("lme4"), R.version.string)

# Oxboys (nlme): plain columns; Occasion as its integer code so the CSV reads back as numbers.
ox <- as.data.frame(nlme::Oxboys)
ox <- data.frame(Subject = as.character(ox$Subject), age = ox$age, height = ox$height, Occasion = as.integer(ox$Occasion))
write.csv(ox, "Oxboys.csv", row.names = FALSE)

# sleepstudy with a deterministic prior-weights column.
ss <- read.csv("sleepstudy.csv")
ss$w <- 0.5 + ((as.integer(ss$Subject) %% 5) + (ss$Days %% 3)) / 4
write.csv(ss, "sleepstudy_weights.csv", row.names = FALSE)

data <- list(Oxboys = read.csv("Oxboys.csv"), Exam = read.csv("Exam.csv"), sleepstudy = read.csv("sleepstudy.csv"))

# Model-matrix columns (lFormula's X and response) for formulas with functions.
cases <- list(
  list("Oxboys", "height ~ poly(age, 2) + (1 | Subject)"),
  list("Oxboys", "height ~ poly(age, 3, raw = TRUE) + (1 | Subject)"),
  list("Oxboys", "log(height) ~ I(age^2) + I((age + 1)/2 - age * 3) + exp(age) + abs(age) + sqrt(age + 2) + (1 | Subject)"),
  list("Exam", "normexam ~ scale(standLRT) + (1 | school)"),
  list("Exam", "normexam ~ scale(standLRT, center = FALSE) + relevel(factor(sex), \"M\") + (1 | school)"),
  list("Exam", "normexam ~ scale(standLRT, center = 1.5, scale = 2) + (1 | school)"),
  list("Exam", "normexam ~ poly(standLRT, 2) * sex + (1 | school)"),
  list("sleepstudy", "log(Reaction) ~ Days + (1 | Subject)"),
  list("sleepstudy", "log10(Reaction) ~ log1p(Days) + log2(Days + 2) + I(-Days^2) + (1 | Subject)")
)
mm <- lapply(cases, function(cs) {
  d <- data[[cs[[1]]]]
  lf <- lFormula(as.formula(cs[[2]]), d)
  X <- lf$X
  n <- nrow(X)
  rows <- seq(1, n, by = max(1, ceiling(n / 200)))
  cols <- lapply(seq_len(ncol(X)), function(j) list(name = colnames(X)[j], rows = unname(X[rows, j]),
                                                   sum = sum(X[, j]), sum_of_squares = sum(X[, j]^2)))
  y <- model.response(lf$fr)
  list(dataset = cs[[1]], formula = cs[[2]], nobs = n, rows = rows - 1L,
       response = list(name = deparse(as.formula(cs[[2]])[[2]]), rows = unname(y[rows]), sum = sum(y), sum_of_squares = sum(y^2)),
       columns = cols)
})
dir.create("modelmatrix", showWarnings = FALSE)
writeLines(toJSON(list(provenance = paste("lme4::lFormula X and response;", software, "; rows are 0-based; sums over all rows"),
                       cases = mm), auto_unbox = TRUE, digits = NA, pretty = TRUE), "modelmatrix/formula_functions.json")

# Fits with functions, weights and offsets.
fitjson <- function(name, dataset, formula, d, reml, ...) {
  fit <- lmer(as.formula(formula), d, REML = reml, ...)
  vc <- as.data.frame(VarCorr(fit))
  kind <- ifelse(vc$grp == "Residual", "residual_variance", ifelse(is.na(vc$var2), "variance", "covariance"))
  ll <- logLik(fit)
  out <- list(name = name, dataset = dataset, formula = formula, family = "gaussian", link = "identity",
              method = if (reml) "REML" else "ML", software = software, nobs = nobs(fit),
              ngroups = as.list(ngrps(fit)),
              fixed_effects = list(names = as.list(names(fixef(fit))), estimate = as.list(unname(fixef(fit))),
                                   std_error = as.list(unname(sqrt(diag(as.matrix(vcov(fit)))))), vcov = unname(as.matrix(vcov(fit)))),
              variance_components = lapply(seq_len(nrow(vc)), function(i) list(group = vc$grp[i],
                  var1 = if (is.na(vc$var1[i])) NULL else vc$var1[i], var2 = if (is.na(vc$var2[i])) NULL else vc$var2[i],
                  kind = kind[i], vcov = vc$vcov[i], sdcor = vc$sdcor[i])),
              sigma = sigma(fit),
              theta = list(names = as.list(names(getME(fit, "theta"))), values = as.list(unname(getME(fit, "theta"))),
                           lower = lapply(unname(getME(fit, "lower")), function(l) if (is.finite(l)) l else NULL)),
              logLik = as.numeric(ll), logLik_df = attr(ll, "df"), is_singular = isSingular(fit))
  if (reml) out$REML_criterion <- unname(getME(fit, "devcomp")$cmp["REML"]) else out$deviance <- deviance(fit)
  writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, null = "null"), file.path("fits", paste0(name, ".json")))
}
ssw <- read.csv("sleepstudy_weights.csv")
fitjson("sleepstudy_logpoly_REML", "sleepstudy", "log(Reaction) ~ poly(Days, 2) + (1 | Subject)", data$sleepstudy, TRUE)
fitjson("sleepstudy_logpoly_ML", "sleepstudy", "log(Reaction) ~ poly(Days, 2) + (1 | Subject)", data$sleepstudy, FALSE)
fitjson("sleepstudy_weighted_REML", "sleepstudy_weights", "Reaction ~ Days + (Days | Subject)", ssw, TRUE, weights = ssw$w)
fitjson("sleepstudy_weighted_ML", "sleepstudy_weights", "Reaction ~ Days + (Days | Subject)", ssw, FALSE, weights = ssw$w)
fitjson("sleepstudy_weighted_offset_ML", "sleepstudy_weights", "Reaction ~ Days + offset(2 * Days) + (Days | Subject)", ssw, FALSE, weights = ssw$w)
fitjson("exam_offset_REML", "Exam", "normexam ~ sex + offset(0.5 * standLRT) + (1 | school)", data$Exam, TRUE)
fitjson("exam_offset_ML", "Exam", "normexam ~ sex + offset(0.5 * standLRT) + (1 | school)", data$Exam, FALSE)

# The single-level model with the same weights and offset (lm), the comparison of LikelihoodRatioTest.AgainstSingleLevel.
lmfit <- lm(Reaction ~ Days + offset(2 * Days), ssw, weights = w)
writeLines(toJSON(list(name = "sleepstudy_weighted_offset_lm", dataset = "sleepstudy_weights",
                       formula = "Reaction ~ Days + offset(2 * Days)", weights = "w", software = R.version.string,
                       coefficients = as.list(unname(coef(lmfit))),
                       logLik_ML = as.numeric(logLik(lmfit)), logLik_REML = as.numeric(logLik(lmfit, REML = TRUE))),
                  auto_unbox = TRUE, digits = NA, pretty = TRUE), "fits/sleepstudy_weighted_offset_lm.json")
