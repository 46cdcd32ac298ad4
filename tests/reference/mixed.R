# Reference values for tests/test_stats_mixed.py (R 4.2.2, lme4 1.1-31, lmerTest 3.1-3).
# Run from the repository root: Rscript tests/reference/mixed.R
# Data: tests/reference/mixed_data.csv (72 participants in 6 sites, 3 timepoints,
# about a fifth of follow-ups missing; written once by a seeded generator).
suppressPackageStartupMessages({library(lme4); library(lmerTest)})
d <- read.csv("tests/reference/mixed_data.csv")
d$tp <- factor(d$tp, levels = c("T1", "T2", "T3"))
d$arm <- factor(d$arm, levels = c("B", "A"))
d$site <- factor(d$site)
ctrl <- lmerControl(optimizer = "nloptwrap", calc.derivs = FALSE,
                    optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12,
                                   ftol_rel = 1e-14, maxeval = 1e5))
show <- function(label, fit, L) {
  ct <- contest1D(fit, L, ddf = "Satterthwaite", confint = TRUE)
  cat(sprintf("%s: theta = %s; sigma = %.10g; crit = %.10g\n", label,
              paste(sprintf("%.10g", getME(fit, "theta")), collapse = ", "), sigma(fit),
              if (isREML(fit)) REMLcrit(fit) else deviance(fit)))
  cat(sprintf("  estimate %.10g se %.10g t %.10g df %.10g p %.10g ci %.10g %.10g\n",
              ct$Estimate, ct$`Std. Error`, ct$`t value`, ct$df, ct$`Pr(>|t|)`,
              ct$lower, ct$upper))
}
contrast <- function(fit, w) { L <- setNames(numeric(length(fixef(fit))), names(fixef(fit))); L[names(w)] <- w; L }

f1 <- lmer(y ~ tp + (1 | pid), d, REML = TRUE, control = ctrl)
show("timepoint REML", f1, contrast(f1, c(tpT3 = 1, tpT2 = -1)))
f2 <- lmer(y ~ tp + (1 | pid), d, REML = FALSE, control = ctrl)
show("timepoint ML", f2, contrast(f2, c(tpT3 = 1, tpT2 = -1)))
f3 <- lmer(y ~ baseline + arm * tp + (1 | pid) + (1 | site), d, REML = TRUE, control = ctrl)
show("trial REML", f3, contrast(f3, c("armA:tpT3" = 1)))
f4 <- lmer(y ~ baseline + arm * tp + site + (1 | pid), d, REML = TRUE, control = ctrl)
show("site fixed REML", f4, contrast(f4, c(armA = 1, "armA:tpT2" = 1)))
# Singular: the site variance of the outcome without the site shifts is 0.
d$y0 <- d$y - c(s1 = -1.2, s2 = 0.4, s3 = 1.5, s4 = -0.3, s5 = 0.8, s6 = -0.9)[as.character(d$site)]
f5 <- lmer(y0 ~ arm * tp + (1 | pid) + (1 | site), d, REML = TRUE, control = ctrl)
cat("singular:", isSingular(f5), "\n")
show("singular REML", f5, contrast(f5, c("armA:tpT3" = 1)))
