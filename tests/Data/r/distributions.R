# Reference values of the distribution and special functions behind TypedMixed.Distributions.
# Run from tests/Data:  Rscript r/distributions.R > distributions/r_reference.csv
# Columns: fn, x, a, b, lower (1 = lower tail), value. Unused arguments are 0.
f <- function(x) sprintf("%.17g", x)
rows <- list()
add <- function(fn, x, a, b, lower, value) rows[[length(rows) + 1]] <<- data.frame(fn = fn, x = f(x), a = f(a), b = f(b), lower = as.integer(lower), value = f(value))
for (z in c(-37, -30, -10, -3, -1, -0.5, -1e-10, 0, 1e-10, 0.5, 1, 1.959963984540054, 3, 5, 8, 10, 20, 30, 37))
  { add("pnorm", z, 0, 0, FALSE, pnorm(z, lower.tail = FALSE)); add("pnorm", z, 0, 0, TRUE, pnorm(z)) }
for (tv in list(c(50, 3), c(0.5, 1), c(2, 5), c(10, 2.5), c(1000, 10), c(-2, 7), c(3, 1e6), c(1.5, 0.5), c(30, 30), c(1e-8, 4), c(1e5, 1), c(-40, 3), c(7, 200)))
  { add("pt", tv[1], tv[2], 0, FALSE, pt(tv[1], tv[2], lower.tail = FALSE)); add("pt", tv[1], tv[2], 0, TRUE, pt(tv[1], tv[2])) }
for (cv in list(c(1e-8, 1), c(0.5, 2), c(5, 3), c(3.84145882069412, 1), c(100, 1), c(500, 1), c(1400, 1), c(1000, 50), c(1e-3, 10), c(50, 0.5), c(0.01, 0.1), c(80, 100), c(1e4, 1e4), c(31.815895524121515, 3)))
  { add("pchisq", cv[1], cv[2], 0, FALSE, pchisq(cv[1], cv[2], lower.tail = FALSE)); add("pchisq", cv[1], cv[2], 0, TRUE, pchisq(cv[1], cv[2])) }
for (p in c(1e-300, 1e-100, 1e-20, 1e-10, 1e-3, 0.025, 0.3, 0.5, 0.7, 0.975, 0.999, 1 - 1e-10))
  add("qnorm", p, 0, 0, TRUE, qnorm(p))
for (tv in list(c(0.975, 1), c(0.975, 3), c(0.975, 30), c(1e-10, 5), c(0.999, 2.5), c(0.6, 100), c(0.05, 1e5), c(0.3, 0.7), c(1e-20, 10)))
  add("qt", tv[1], tv[2], 0, TRUE, qt(tv[1], tv[2]))
for (cv in list(c(0.95, 1), c(0.5, 2), c(1e-10, 3), c(0.999999, 10), c(0.05, 0.5), c(0.5, 1000), c(0.025, 60), c(1e-5, 1)))
  add("qchisq", cv[1], cv[2], 0, TRUE, qchisq(cv[1], cv[2]))
# erfc(x) = 2 pnorm(-x sqrt(2)); the rounding of x sqrt(2) costs about 2 x^2 eps relative (below 2e-13 for x <= 25).
for (x in c(-3, -0.5, 1e-8, 0.1, 0.49, 0.5, 1, 2, 3, 5, 10, 15, 20, 25))
  add("erfc", x, 0, 0, FALSE, 2 * pnorm(-x * sqrt(2)))
for (x in c(1e-10, 0.1, 0.5, 1.5e-3, 3, 4.5, 10, 100, 171.5, 1e5, 1e10, -0.5, -2.5, -10.3))
  add("lgamma", x, 0, 0, FALSE, lgamma(x))
for (v in list(c(0.5, 0.5), c(1e-3, 2), c(3, 2), c(10, 10), c(100, 90), c(100, 120), c(0.1, 5), c(20, 1), c(1e3, 1.1e3), c(2.5, 40)))
  { add("pgamma", v[2], v[1], 0, FALSE, pgamma(v[2], v[1], lower.tail = FALSE)); add("pgamma", v[2], v[1], 0, TRUE, pgamma(v[2], v[1])) }
for (v in list(c(0.5, 2, 3), c(0.1, 0.5, 0.5), c(0.9, 10, 2), c(1e-5, 1.5, 4), c(0.999, 3, 0.5), c(0.3, 50, 60), c(0.5, 200, 200), c(0.02, 0.5, 30), c(0.75, 1, 1)))
  { add("pbeta", v[1], v[2], v[3], TRUE, pbeta(v[1], v[2], v[3])); add("pbeta", v[1], v[2], v[3], FALSE, pbeta(v[1], v[2], v[3], lower.tail = FALSE)) }
cat(sprintf("# computed with %s on %s, command: cd tests/Data && Rscript r/distributions.R > distributions/r_reference.csv\n",
            R.version.string, format(Sys.Date())))
write.csv(do.call(rbind, rows), stdout(), row.names = FALSE, quote = FALSE)
