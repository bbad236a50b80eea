# The lme4 side of compare.sh --process: Rscript lme4_process.R DATA.csv FORMULA REML|ML
# One whole R process as a user runs it — start R, load lme4, read the CSV, fit with lmer() — timed from outside by
# /usr/bin/time -v. Prints the BLAS R loaded and the objective (REML criterion or deviance), nothing else.
suppressPackageStartupMessages(library(lme4))
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[[1]], stringsAsFactors = FALSE)
reml <- args[[3]] == "REML"
fit <- lmer(as.formula(args[[2]]), data = data, REML = reml)
cat("blas ", extSoftVersion()[["BLAS"]], "\n", sep = "")
cat("objective ", sprintf("%.17g", if (reml) REMLcrit(fit) else deviance(fit)), "\n", sep = "")
