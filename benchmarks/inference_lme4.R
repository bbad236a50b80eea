# lme4's side of benchmarks/inference.sh: seconds for profile() (+ confint) and bootMer on the same data as the CLI.
#   Rscript benchmarks/inference_lme4.R <data dir> <nsim>
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(TRUE)
dir <- args[1]; nsim <- as.integer(args[2])
sleep <- read.csv(file.path(dir, "sleepstudy.csv"), colClasses = c(Subject = "character"))
pen <- read.csv(file.path(dir, "Penicillin.csv"))
exam <- read.csv(file.path(dir, "Exam.csv"), colClasses = c(school = "character", student = "character"))
timed <- function(label, expr) {
  t <- system.time(expr)[["elapsed"]]
  cat(sprintf("lme4 %s %.3f\n", label, t))
}
f1 <- lmer(Reaction ~ Days + (Days | Subject), sleep)
f2 <- lmer(diameter ~ 1 + (1 | plate) + (1 | sample), pen)
f3 <- lmer(normexam ~ standLRT + sex + schgend + (1 | school), exam, REML = FALSE)
timed("profile-sleepstudy", confint(profile(f1)))
timed("profile-penicillin", confint(profile(f2)))
timed("profile-exam", confint(profile(f3)))
stat <- function(m) c(fixef(m), sigma = sigma(m))
timed("boot-sleepstudy-serial", bootMer(f1, stat, nsim = nsim, seed = 1, use.u = FALSE, type = "parametric"))
timed("boot-sleepstudy-2cores", bootMer(f1, stat, nsim = nsim, seed = 1, use.u = FALSE, type = "parametric", parallel = "multicore", ncpus = 2))
