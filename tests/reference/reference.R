# Reference values used in tests/test_stats_reference.py, as R (>= 4.3) prints them.
# These machines cannot reach CRAN; the values in the tests are the ones R's own
# help pages print for these examples. Run this script to re-derive them.

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
