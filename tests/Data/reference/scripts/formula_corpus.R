# Expected columns of the valid formulas of tests/Data/corpus/formulas.txt, from lme4's lFormula on Exam.csv.
# Run once from tests/Data:  Rscript reference/scripts/formula_corpus.R
suppressPackageStartupMessages({ library(lme4); library(jsonlite) })
exam <- read.csv("reference/Exam.csv")
lines <- readLines("corpus/formulas.txt")
ok <- sub("^ok\t", "", grep("^ok\t", lines, value = TRUE))
cases <- lapply(ok, function(f) {
  lf <- withCallingHandlers(lFormula(as.formula(f), exam),
                            message = function(m) stop("lFormula changed the design of ", f, ": ", conditionMessage(m)))
  cnms <- lf$reTrms$cnms
  list(formula = f, response = deparse(as.formula(f)[[2]]), nobs = nrow(lf$X), fixed = colnames(lf$X),
       random = lapply(seq_along(cnms), function(k) list(group = names(cnms)[k], columns = cnms[[k]])))
})
writeLines(toJSON(list(provenance = sprintf("lme4 %s lFormula on Exam.csv, %s", packageVersion("lme4"), R.version.string),
                       cases = cases), auto_unbox = TRUE, pretty = TRUE), "corpus/formula_corpus_expected.json")
