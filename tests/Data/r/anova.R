# lme4's anova() of the Exam models fitted by REML (the default): anova refits both by ML (refit = TRUE);
# and of two glmer fits of cbpp (Laplace, ML already).
# Run from tests/Data:  Rscript r/anova.R > anova/exam_anova.csv
suppressMessages(library(lme4))
d <- read.csv("reference/Exam.csv")
d$school <- factor(d$school)
d$girl <- as.numeric(d$sex == "F")
d$boysch <- as.numeric(d$schgend == "boys")
d$girlsch <- as.numeric(d$schgend == "girls")
m1 <- lmer(normexam ~ 1 + (1 | school), data = d)
m2 <- lmer(normexam ~ standLRT + (1 | school), data = d)
m3 <- lmer(normexam ~ standLRT + girl + boysch + girlsch + (1 | school), data = d)
m2s <- lmer(normexam ~ standLRT + (standLRT | school), data = d)
cb <- read.csv("reference/cbpp.csv")
cb$herd <- factor(cb$herd); cb$period <- factor(cb$period)
g1 <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), family = binomial, data = cb)
g0 <- glmer(cbind(incidence, size - incidence) ~ 1 + (1 | herd), family = binomial, data = cb)
f <- function(x) ifelse(is.na(x), "NA", sprintf("%.17g", x))
out <- function(set, a) {
  a <- as.data.frame(a)
  data.frame(set = set, model = rownames(a), npar = a$npar, AIC = f(a$AIC), BIC = f(a$BIC), logLik = f(a$logLik),
             deviance = f(a$deviance), Chisq = f(a$Chisq), Df = ifelse(is.na(a$Df), "NA", a$Df), p = f(a[["Pr(>Chisq)"]]))
}
r <- rbind(out("m2_m3", anova(m2, m3)),
           out("m3_m1_m2", anova(m3, m1, m2)),
           out("m2_m2s_refit_false", anova(m2, m2s, refit = FALSE)),
           out("cbpp_g1_g0", anova(g1, g0)))
cat(sprintf("# computed with %s / lme4 %s on %s, command: cd tests/Data && Rscript r/anova.R > anova/exam_anova.csv\n",
            R.version.string, packageVersion("lme4"), format(Sys.Date())))
write.csv(r, stdout(), row.names = FALSE, quote = FALSE)
