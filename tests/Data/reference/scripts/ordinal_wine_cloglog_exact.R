# Exact marginal log-likelihood of the cloglog model rating ~ temp + contact + (1 | judge) on wine, per judge by
# stats::integrate (R 4.2.2): at clmm's cloglog estimates (ordinal 2022.11-16) and at TypedMixed's. Prints -88.86265481, -81.5235129807.
library(ordinal)
data(wine)
y <- as.integer(wine$rating); x1 <- as.numeric(wine$temp=="warm"); x2 <- as.numeric(wine$contact=="yes"); g <- as.integer(wine$judge)
F <- function(x) 1 - exp(-exp(x))
ll <- function(tau, beta, sd) {
  th <- c(-Inf, tau, Inf); tot <- 0
  for (j in unique(g)) { r <- which(g==j)
    f <- function(b) sapply(b, function(bb) { eta <- beta[1]*x1[r] + beta[2]*x2[r] + bb; prod(F(th[y[r]+1]-eta) - F(th[y[r]]-eta)) }) * dnorm(b, 0, sd)
    tot <- tot + log(integrate(f, -12*sd, 12*sd, rel.tol=1e-12)$value) }
  tot }
print(ll(c(-0.4966149,1.4395268,3.1894255,4.5508331), c(1.9727281,1.1284930), 0.7561303), digits=12)
print(ll(c(-1.7873382112039145, 0.5295775318976048, 2.357085350349713, 3.4922888056679136), c(2.0474459191185206, 1.2246782335742912), 0.7915166099683861), digits=12)
