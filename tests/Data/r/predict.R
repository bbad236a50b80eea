# lme4's predict() for new rows of sleepstudy (lmer, REML) and cbpp (glmer, Laplace): conditional with
# allow.new.levels = TRUE, population level (re.form = NA), link and response scales.
# Run from tests/Data:  Rscript r/predict.R > predict/predict_reference.csv
suppressMessages(library(lme4))
s <- read.csv("reference/sleepstudy.csv"); s$Subject <- factor(s$Subject)
m <- lmer(Reaction ~ Days + (Days | Subject), data = s)
ns <- read.csv("predict/sleepstudy_new.csv"); ns$Subject <- factor(ns$Subject)
cb <- read.csv("reference/cbpp.csv"); cb$herd <- factor(cb$herd); cb$period <- factor(cb$period)
g <- glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), family = binomial, data = cb)
nc <- read.csv("predict/cbpp_new.csv"); nc$herd <- factor(nc$herd); nc$period <- factor(nc$period, levels = levels(cb$period))
f <- function(x) sprintf("%.17g", x)
out <- function(set, x) data.frame(set = set, row = seq_along(x), prediction = f(unname(x)))
r <- rbind(out("sleepstudy_conditional_new_levels", predict(m, ns, allow.new.levels = TRUE)),
           out("sleepstudy_population", predict(m, ns, re.form = NA)),
           out("cbpp_link_new_levels", predict(g, nc, allow.new.levels = TRUE, type = "link")),
           out("cbpp_response_new_levels", predict(g, nc, allow.new.levels = TRUE, type = "response")),
           out("cbpp_response_population", predict(g, nc, re.form = NA, type = "response")))
cat(sprintf("# computed with %s / lme4 %s on %s, command: cd tests/Data && Rscript r/predict.R > predict/predict_reference.csv\n",
            R.version.string, packageVersion("lme4"), format(Sys.Date())))
write.csv(r, stdout(), row.names = FALSE, quote = FALSE)
