# Reference values for profile-likelihood confidence intervals and the parametric bootstrap (issue 16, parts 3-4).
# Run from tests/Data/reference:  Rscript scripts/profile_boot.R [profile] [boot]   (both by default)
# Writes inference/profile_confint.json (lme4's confint(fit, method = "profile") with the profile traces; sleepstudy,
# Penicillin, the Exam models, Dyestuff, Dyestuff2 (singular), Pastes (nested) and prior-weighted sleepstudy) and
# inference/bootmer_sleepstudy.json (bootMer on the REML sleepstudy fit).
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
software <- sprintf("lme4 %s, %s", packageVersion("lme4"), R.version.string)

what <- commandArgs(TRUE)
if (length(what) == 0) what <- c("profile", "boot")
sleep <- read.csv("sleepstudy.csv", colClasses = c(Subject = "character"))
sleepw <- read.csv("sleepstudy_weights.csv", colClasses = c(Subject = "character"))
dye <- read.csv("Dyestuff.csv")
dye2 <- read.csv("Dyestuff2.csv")
pastes <- read.csv("Pastes.csv")
pen <- read.csv("Penicillin.csv")
exam <- read.csv("Exam.csv", colClasses = c(school = "character", student = "character"))
exam$girl <- as.numeric(exam$sex == "F")
exam$boysch <- as.numeric(exam$schgend == "boys")
exam$girlsch <- as.numeric(exam$schgend == "girls")

models <- list(
  list("sleepstudy_REML", "Reaction ~ Days + (Days | Subject)", sleep, TRUE),
  list("sleepstudy_ML", "Reaction ~ Days + (Days | Subject)", sleep, FALSE),
  list("sleepstudy_uncorr_REML", "Reaction ~ Days + (Days || Subject)", sleep, TRUE),
  list("penicillin_REML", "diameter ~ 1 + (1 | plate) + (1 | sample)", pen, TRUE),
  list("exam_m1_ML", "normexam ~ 1 + (1 | school)", exam, FALSE),
  list("exam_m2_ML", "normexam ~ standLRT + (1 | school)", exam, FALSE),
  list("exam_m2_REML", "normexam ~ standLRT + (1 | school)", exam, TRUE),
  list("exam_m3_ML", "normexam ~ standLRT + girl + boysch + girlsch + (1 | school)", exam, FALSE),
  list("exam_m2_randslope_ML", "normexam ~ standLRT + (standLRT | school)", exam, FALSE),
  list("dyestuff_REML", "Yield ~ 1 + (1 | Batch)", dye, TRUE),
  list("dyestuff2_REML", "Yield ~ 1 + (1 | Batch)", dye2, TRUE),
  list("pastes_REML", "strength ~ 1 + (1 | batch/cask)", pastes, TRUE),
  list("sleepstudy_weighted_ML", "Reaction ~ Days + (Days | Subject)", sleepw, FALSE)
)

if ("profile" %in% what) {
profiles <- lapply(models, function(m) {
  fit <- if (m[[1]] == "sleepstudy_weighted_ML") lmer(as.formula(m[[2]]), data = m[[3]], REML = m[[4]], weights = w)
         else lmer(as.formula(m[[2]]), data = m[[3]], REML = m[[4]])
  pr <- profile(fit)
  ci95 <- confint(pr, level = 0.95)
  ci90 <- confint(pr, level = 0.90)
  df <- as.data.frame(pr)
  traces <- lapply(levels(df$.par), function(p) {
    rows <- df[df$.par == p, ]
    list(parameter = p, value = rows[[p]], zeta = rows$.zeta)
  })
  list(name = m[[1]], formula = m[[2]], method = if (m[[4]]) "REML" else "ML",
       parameters = rownames(ci95),
       lower95 = unname(ci95[, 1]), upper95 = unname(ci95[, 2]),
       lower90 = unname(ci90[, 1]), upper90 = unname(ci90[, 2]),
       traces = traces)
})
writeLines(toJSON(list(software = software,
                       call = "confint(profile(fit), level = 0.95) and level = 0.90; traces: as.data.frame(profile(fit)); NA ends are null",
                       fits = profiles), auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           "inference/profile_confint.json")
}

if ("boot" %in% what) {
# Parametric bootstrap of the REML sleepstudy fit: new responses from the fitted model (use.u = FALSE), refitted by REML.
fit <- lmer(Reaction ~ Days + (Days | Subject), data = sleep)
stat <- function(m) {
  vc <- as.data.frame(VarCorr(m))
  c(fixef(m), sd_intercept = vc$sdcor[1], sd_days = vc$sdcor[2], cor = vc$sdcor[3], sigma = sigma(m))
}
nsim <- 1999
b <- bootMer(fit, stat, nsim = nsim, seed = 20261201, use.u = FALSE, type = "parametric")
names_t <- names(b$t0)
# A replicate whose refit is singular has an undefined correlation (NaN): statistics are over the finite values.
per <- lapply(seq_along(names_t), function(i) {
  ts <- b$t[, i]
  ok <- ts[is.finite(ts)]
  q <- unname(quantile(ok, c(0.025, 0.975)))
  list(name = names_t[i], t0 = unname(b$t0[i]), finite = length(ok), mean = mean(ok), sd = sd(ok),
       q025 = q[1], q975 = q[2], perc = q, basic = 2 * unname(b$t0[i]) - rev(q))
})
writeLines(toJSON(list(software = software, model = "Reaction ~ Days + (Days | Subject)", method = "REML",
                       call = "bootMer(fit, stat, nsim = 1999, seed = 20261201, use.u = FALSE, type = 'parametric'); percentile (quantile type 7) and basic 2 t0 - quantiles over finite replicates",
                       nsim = nsim, statistics = per), auto_unbox = TRUE, digits = NA, pretty = TRUE),
           "inference/bootmer_sleepstudy.json")
}
