# Reference values for tests/TypedMixed.Cli.Tests/OrdinalVerbTests.cs (ordinal 2022.11-16, R 4.2.2): clmm's anova of
# rating ~ temp + (1 | judge) against rating ~ temp + contact + (1 | judge) on wine. Rscript ordinal_wine_anova.R
suppressMessages(library(ordinal))
m1 <- clmm(rating ~ temp + (1 | judge), data = wine)
m2 <- clmm(rating ~ temp + contact + (1 | judge), data = wine)
print(anova(m1, m2))
cat("logLik m1", format(as.numeric(logLik(m1)), digits = 12), "\n")
cat("logLik m2", format(as.numeric(logLik(m2)), digits = 12), "\n")
