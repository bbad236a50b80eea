# Reference fits for issue 13 beyond shared/: mm_pupils.csv with the multiple-membership school term crossed with
# (1 | area), fitted by lme4 with the weighted membership matrix put into lFormula's Zt (lmerMultiMember's
# construction). Writes fits/mm_pupils_area_{ML,REML}.json. Run from tests/Data/reference: Rscript scripts/mm_pupils_area.R
suppressPackageStartupMessages({ library(lme4); library(Matrix) })
data <- read.csv("mm_pupils.csv")
s <- c("school1", "school2", "school3"); w <- c("w1", "w2", "w3")
levels <- sort(unique(unlist(lapply(s, function(c) data[[c]][!is.na(data[[c]])]))))
data$school <- factor(data$school1, levels = levels)
data$area <- factor(data$area)
i <- integer(0); j <- integer(0); x <- numeric(0)
for (k in seq_along(s)) {
  present <- !is.na(data[[s[k]]])
  i <- c(i, which(present)); j <- c(j, match(data[[s[k]]][present], levels)); x <- c(x, data[[w[k]]][present])
}
Wt <- sparseMatrix(i = j, j = i, x = x, dims = c(length(levels), nrow(data)))
num <- function(v) paste(sprintf("%.17g", v), collapse = ", ")
for (method in c("ML", "REML")) {
  lf <- lFormula(y ~ x + (1 | school) + (1 | area), data = data, REML = method == "REML")
  k <- which(names(lf$reTrms$cnms) == "school")
  lf$reTrms$Ztlist[[k]] <- as(Wt, "CsparseMatrix")
  lf$reTrms$Zt <- do.call(rbind, lf$reTrms$Ztlist)
  devfun <- do.call(mkLmerDevfun, lf)
  opt <- optimizeLmer(devfun)
  fit <- mkMerMod(environment(devfun), opt, lf$reTrms, fr = lf$fr)
  vc <- as.data.frame(VarCorr(fit))
  re <- ranef(fit, condVar = TRUE)
  sch <- re$school; sd <- sqrt(attr(sch, "postVar")[1, 1, ])
  json <- sprintf('{\n  "name": "mm_pupils_area_%s",\n  "software": "lme4 %s, %s",\n  "construction": "lFormula(y ~ x + (1 | school) + (1 | area)), the school block of Ztlist replaced by the weighted membership matrix W\' and Zt rebuilt by rbind, mkLmerDevfun + optimizeLmer + mkMerMod",\n  "method": "%s",\n  "objective": %s,\n  "theta": [%s],\n  "beta": [%s],\n  "beta_se": [%s],\n  "var_school": %s,\n  "var_area": %s,\n  "sigma2": %s,\n  "school_levels_1to5": ["%s"],\n  "school_cond_mode_1to5": [%s],\n  "school_cond_sd_1to5": [%s]\n}\n',
    method, packageVersion("lme4"), R.version.string, method, num(opt$fval), num(opt$par), num(fixef(fit)), num(sqrt(diag(as.matrix(vcov(fit))))),
    num(vc$vcov[vc$grp == "school"]), num(vc$vcov[vc$grp == "area"]), num(sigma(fit)^2),
    paste(rownames(sch)[1:5], collapse = '", "'), num(sch[1:5, 1]), num(sd[1:5]))
  writeLines(json, sprintf("fits/mm_pupils_area_%s.json", method))
}
