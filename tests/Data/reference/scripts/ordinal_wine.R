# Reference values for tests/TypedMixed.Tests/Ordinal/OrdinalBehaviourTests.cs (ordinal 2022.11-16, R 4.2.2):
# Rscript ordinal_wine.R; plus logLik(clm(rating ~ temp + contact, data = wine)) = -86.4919233656.
library(ordinal)
ctl <- clmm.control(gradTol = 1e-8)
for (spec in list(list(link="probit", th="flexible"), list(link="cloglog", th="flexible"), list(link="logit", th="equidistant"))) {
  f <- clmm(rating ~ temp + contact + (1|judge), data = wine, link = spec$link, threshold = spec$th, control = ctl)
  cat(spec$link, spec$th, "\n")
  cat("logLik", format(as.numeric(logLik(f)), digits = 15), "\n")
  cat("coef", format(coef(f), digits = 12), "\n")
  cat("se", format(sqrt(diag(vcov(f)))[seq_along(coef(f))], digits = 8), "\n")
  cat("sd", format(attr(VarCorr(f)$judge, "stddev"), digits = 12), "\n")
  if (spec$th == "equidistant") cat("alpha", format(f$Theta, digits = 12), "\n")
}
