# The R side of read_compare.sh: read a CSV (read.csv or data.table::fread) and build lme4's design (lFormula).
# Usage: Rscript read_compare.R read.csv|fread FILE "FORMULA"
# Prints the seconds of the read and of lFormula (system.time elapsed) and the design's size.
args <- commandArgs(trailingOnly = TRUE)
reader <- args[1]; file <- args[2]; formula <- as.formula(args[3])
suppressPackageStartupMessages(library(lme4))
if (reader == "fread") suppressPackageStartupMessages(library(data.table))
t_read <- system.time(d <- if (reader == "fread") fread(file, data.table = FALSE) else read.csv(file))[["elapsed"]]
# Grouping columns are integers in the file; lFormula makes them factors as R users write (1 | g).
t_design <- system.time(lf <- lFormula(formula, data = d))[["elapsed"]]
cat(sprintf("read %.2f s, lFormula %.2f s, %d rows, X %d x %d, Zt %d x %d\n",
            t_read, t_design, nrow(d), nrow(lf$X), ncol(lf$X), nrow(lf$reTrms$Zt), ncol(lf$reTrms$Zt)))
cat(sprintf("R %s, lme4 %s%s\n", getRversion(), packageVersion("lme4"),
            if (reader == "fread") sprintf(", data.table %s (%d threads)", packageVersion("data.table"), getDTthreads()) else ""))
