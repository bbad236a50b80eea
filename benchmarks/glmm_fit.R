# The R side of the GLMM rows of compare.sh: Rscript glmm_fit.R glmer|glmmTMB DATA.csv FORMULA FAMILY REPS
# Reads the CSV (not timed), warms up on lme4's cbpp, then times REPS calls of glmer() or glmmTMB() with their default
# settings (system.time() around the call only) and prints "key value" lines: the BLAS R loaded, package versions,
# times, evaluations, log-likelihood, estimates. For glmer it also re-evaluates the Laplace deviance at the reported
# optimum with PIRLS run to a tight tolerance (not timed): glmer's default tolPwrss = 1e-7 stops PIRLS early, which
# leaves its reported log-likelihood low by up to ~4e-4.
args <- commandArgs(trailingOnly = TRUE)
pkg <- args[[1]]; path <- args[[2]]; formula <- as.formula(args[[3]]); family <- get(args[[4]], mode = "function")
reps <- as.integer(args[[5]])
stopifnot(pkg %in% c("glmer", "glmmTMB"), reps >= 1)
p <- function(key, value) cat(key, " ", gsub("\\s*\n\\s*", " ", paste(value, collapse = " ")), "\n", sep = "")
num <- function(x) sprintf("%.17g", x)

suppressPackageStartupMessages(library(lme4))   # also for glmmTMB: the warm-up data set cbpp
if (pkg == "glmmTMB") suppressPackageStartupMessages(library(glmmTMB))

p("blas", extSoftVersion()[["BLAS"]])
p("lapack", La_library())
p("package", paste(pkg, if (pkg == "glmer") packageVersion("lme4") else packageVersion("glmmTMB")))
if (pkg == "glmmTMB") p("tmb", as.character(packageVersion("TMB")))
p("r", R.version.string)

t0 <- proc.time()[["elapsed"]]
data <- read.csv(path, stringsAsFactors = FALSE)
p("load_seconds", num(proc.time()[["elapsed"]] - t0))
p("rows", nrow(data))

fit_once <- function(f, d) {
  if (pkg == "glmer") glmer(f, data = d, family = family) else glmmTMB(f, data = d, family = family)
}
# Warm-up: byte-compile and load the code paths (and for glmmTMB the TMB template) on a small model.
invisible(if (pkg == "glmer") glmer(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, family = binomial)
          else glmmTMB(cbind(incidence, size - incidence) ~ period + (1 | herd), cbpp, family = binomial))

# glmer's evaluations: each optimizer stage goes through lme4:::optwrap, whose result carries that stage's feval
# (stage 1: bobyqa on theta with nAGQ = 0; stage 2: Nelder-Mead on (theta, beta)). Recording them on exit does not
# change the fit. The finite-difference derivatives of the convergence check (deriv12) are not counted.
stage_feval <- integer(0)
if (pkg == "glmer") {
  invisible(suppressMessages(trace("optwrap", where = asNamespace("lme4"), print = FALSE,
                         exit = quote(assign("stage_feval", c(get("stage_feval", envir = globalenv()), returnValue()$feval), envir = globalenv())))))
}

times <- numeric(reps)
fit <- NULL
warn <- character(0)
for (i in seq_len(reps)) {
  fit <- NULL; stage_feval <- integer(0); invisible(gc(verbose = FALSE))
  times[i] <- system.time(fit <- withCallingHandlers(fit_once(formula, data),
    warning = function(w) { warn <<- c(warn, conditionMessage(w)); invokeRestart("muffleWarning") }))[["elapsed"]]
}
p("fit_seconds", num(times))
p("fit_median_seconds", num(median(times)))
p("loglik", num(as.numeric(logLik(fit))))
p("warnings", paste(unique(gsub("\\s+", " ", warn)), collapse = "; "))

if (pkg == "glmer") {
  p("evaluations", sum(stage_feval))
  p("evaluations_by_stage", stage_feval)
  p("fixef", num(fixef(fit)))
  p("theta", num(getME(fit, "theta")))
  p("sd", num(sqrt(unlist(lapply(VarCorr(fit), function(v) diag(v))))))
  p("messages", paste(c(fit@optinfo$message, unlist(fit@optinfo$conv$lme4$messages)), collapse = "; "))
  # Tight re-evaluation: the stage-2 deviance function (nAGQ = 1, no stage-1 optimisation: nAGQ0initStep = FALSE)
  # with tolPwrss = 1e-12, evaluated at glmer's (theta, beta); PIRLS is repeated from its own last state until the
  # deviance stops changing.
  t0 <- proc.time()[["elapsed"]]
  dev <- glmer(formula, data = data, family = family, devFunOnly = TRUE,
               control = glmerControl(tolPwrss = 1e-12, nAGQ0initStep = FALSE))
  par <- c(getME(fit, "theta"), fixef(fit))
  d <- dev(par)
  for (k in 1:20) { d2 <- dev(par); if (abs(d2 - d) <= 1e-12 * abs(d)) { d <- d2; break }; d <- d2 }
  p("loglik_tight", num(-d / 2))
  p("tight_seconds", num(proc.time()[["elapsed"]] - t0))
} else {
  p("evaluations", fit$fit$evaluations[["function"]])
  p("gradient_evaluations", fit$fit$evaluations[["gradient"]])
  p("iterations", fit$fit$iterations)
  p("fixef", num(fixef(fit)$cond))
  p("sd", num(sqrt(unlist(lapply(VarCorr(fit)$cond, function(v) diag(v))))))
  p("messages", paste(c(fit$fit$message, if (!is.null(fit$sdr)) paste("pdHess", fit$sdr$pdHess)), collapse = "; "))
}
