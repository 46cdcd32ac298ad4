# Reference values used in tests/test_stats_reference.py. The first ones are
# those R's own help pages print for these examples; the later ones were
# printed by R 4.2.2 (effectsize 0.8.3). Run: Rscript tests/reference/reference.R

x <- c(1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30)
y <- c(0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29)
wilcox.test(x, y, paired = TRUE, alternative = "greater")          # V = 40, p = 0.01953
wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = FALSE)   # p = 0.03815
wilcox.test(x, y, paired = TRUE, exact = FALSE, correct = TRUE)    # p = 0.04401

a <- c(0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46)
b <- c(1.15, 0.88, 0.90, 0.74, 1.21)
wilcox.test(a, b, alternative = "g")                                # W = 35, p = 0.1272

with(sleep, t.test(extra[group == 1], extra[group == 2], paired = TRUE))
# t = -4.0621, df = 9, p-value = 0.002833

RoundingTimes <- matrix(c(5.40, 5.50, 5.55, 5.85, 5.70, 5.75, 5.20, 5.60, 5.50,
  5.55, 5.50, 5.40, 5.90, 5.85, 5.70, 5.45, 5.55, 5.60, 5.40, 5.40, 5.35, 5.45,
  5.50, 5.35, 5.25, 5.15, 5.00, 5.85, 5.80, 5.70, 5.25, 5.20, 5.10, 5.65, 5.55,
  5.45, 5.60, 5.35, 5.45, 5.05, 5.00, 4.95, 5.50, 5.50, 5.40, 5.45, 5.55, 5.50,
  5.55, 5.55, 5.35, 5.45, 5.50, 5.55, 5.50, 5.45, 5.25, 5.65, 5.60, 5.40, 5.70,
  5.65, 5.55, 6.30, 6.30, 6.25), nrow = 22, byrow = TRUE)
friedman.test(RoundingTimes)            # chi-squared = 11.143, df = 2, p = 0.003805

M <- as.table(rbind(c(762, 327, 468), c(484, 239, 477)))
chisq.test(M)                           # X-squared = 30.07, df = 2, p = 2.954e-07
fisher.test(matrix(c(3, 1, 1, 3), nrow = 2))   # p-value = 0.4857

p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "holm")  # 0.05 0.08 0.09 0.09 0.09
p.adjust(c(0.01, 0.02, 0.03, 0.04, 0.05), "BH")    # 0.05 0.05 0.05 0.05 0.05

# Field (2009) Bushtucker data: SPSS prints Mauchly W = .136, chi2(5) = 11.41,
# p = .044, GG = .533, HF = .666, F(3, 21) = 3.79, p = .026. In R (afex):
# afex::aov_ez("id", "value", long, within = "animal")  # note: R's HF uses Lecoutre's correction

# Fisher's exact test: fisher.test's estimate and interval, and the same solved
# tightly (its own uniroot calls use the default tolerance, about 1e-4).
fisher.test(matrix(c(10, 2, 3, 15), nrow = 2))    # p = 0.000536724119143, OR 21.305331275
# fisher_precise(): see results/<study>/syntax/categorical.R (written by the workflow);
# fisher_precise(matrix(c(3, 1, 1, 3), 2))   -> 6.4083196582 0.211735595447 626.243530589
# fisher_precise(matrix(c(10, 2, 3, 15), 2)) -> 21.3053175568 2.75338278825 301.462337972
# fisher_precise(matrix(c(0, 5, 4, 3), 2))   -> 0 0 1.74612372198

p <- c(0.04, 0.01, 0.04, NA, 0.2, 0.003, 0.5)
p.adjust(p, "holm")         # 0.16 0.05 0.16 NA 0.4 0.018 0.5
p.adjust(p, "BH")           # 0.06 0.03 0.06 NA 0.24 0.018 0.5
p.adjust(p, "bonferroni")   # 0.24 0.06 0.24 NA 1 0.018 1

# Noncentrality intervals solved tightly (the rule of effectsize's ncp intervals).
ncp_ci <- function(cdf, level) {
  bound <- function(target) {
    if (cdf(0) <= target) return(0)
    hi <- 1
    while (cdf(hi) > target) hi <- hi * 2
    uniroot(function(l) cdf(l) - target, c(0, hi), tol = 1e-13, maxiter = 1000)$root
  }
  c(bound((1 + level) / 2), bound((1 - level) / 2))
}
ncp_ci(function(l) pf(3.793805, 3, 21, ncp = l), 0.95)          # 0 28.3556683398
ncp_ci(function(l) pchisq(11.14285714, 2, ncp = l), 0.95)       # 1.25680066473 26.8064922281
ncp_ci(function(l) pt(4.062127683, 9, ncp = l), 0.95)           # 1.31116809102 6.69775630552
effectsize::F_to_eta2(3.793805, 3, 21, ci = 0.95, alternative = "two.sided")
# Eta2_partial 0.35147985349, CI 0 to 0.574516902769
effectsize::chisq_to_cramers_v(30.07015, 2757, 2, 3, adjust = FALSE, ci = 0.95,
                               alternative = "two.sided")
# 0.104435803927, CI 0.0649074367262 to 0.140263896312
