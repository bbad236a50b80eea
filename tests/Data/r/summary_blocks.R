# lme4's summary() blocks for sleepstudy (REML): scaled-residual quantiles (also with prior weights) and the
# correlation of fixed effects (and of the cbpp glmer fit's); and R's abbreviate() of coefficient names as summary() prints them.
# Run from tests/Data:  Rscript r/summary_blocks.R > summary/lme4_summary_blocks.csv
suppressMessages(library(lme4))
d <- read.csv("reference/sleepstudy.csv")
d$Subject <- factor(d$Subject)
m <- lmer(Reaction ~ Days + (Days | Subject), data = d)
q <- quantile(residuals(m, type = "pearson", scaled = TRUE))
cr <- cov2cor(as.matrix(vcov(m)))
f <- function(x) sprintf("%.17g", x)
cat(sprintf("# computed with %s / lme4 %s on %s, command: cd tests/Data && Rscript r/summary_blocks.R > summary/lme4_summary_blocks.csv\n",
            R.version.string, packageVersion("lme4"), format(Sys.Date())))
cat("quantity,name,value\n")
for (i in seq_along(q)) cat(sprintf("scaled_residual,%s,%s\n", c("Min", "1Q", "Median", "3Q", "Max")[i], f(q[i])))
cat(sprintf("correlation,Days~(Intercept),%s\n", f(cr[2, 1])))
dw <- read.csv("reference/sleepstudy_weights.csv"); dw$Subject <- factor(dw$Subject)
mw <- lmer(Reaction ~ Days + (Days | Subject), data = dw, weights = w)
qw <- quantile(residuals(mw, type = "pearson", scaled = TRUE))
for (i in seq_along(qw)) cat(sprintf("scaled_residual_weighted,%s,%s\n", c("Min", "1Q", "Median", "3Q", "Max")[i], f(qw[i])))
cb <- read.csv("reference/cbpp.csv"); cb$herd <- factor(cb$herd)
g <- glmer(cbind(incidence, size - incidence) ~ factor(period) + (1 | herd), family = binomial, data = cb)
cg <- cov2cor(as.matrix(vcov(g)))
for (i in 2:4) for (j in 1:(i - 1)) cat(sprintf("correlation_cbpp,%s~%s,%s\n", rownames(cg)[i], rownames(cg)[j], f(cg[i, j])))
nm <- c("(Intercept)", "standLRT", "sexM", "schgendgirls", "schgendmixed", "factor(period)2", "poly(Days, 2)1",
        "poly(Days, 2)2", "I(age^2)", "Days:sexM", "log(x)", "standLRT:schgendgirls")
for (k in c(6, 11)) { a <- abbreviate(nm, minlength = k); for (i in seq_along(nm)) cat(sprintf("abbreviate%d,\"%s\",\"%s\"\n", k, nm[i], a[i])) }
