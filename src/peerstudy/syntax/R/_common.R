## ---- Set-up: packages, the study's conventions, helpers -------------------
suppressPackageStartupMessages({
  library(afex)        # repeated-measures ANOVA (aov_ez) with Mauchly, GG and HF
  library(effectsize)  # effect sizes and their intervals
  library(lme4)        # linear mixed models
  library(lmerTest)    # Satterthwaite t tests of mixed-model contrasts (contest1D)
  library(psych)       # Cronbach's alpha and Feldt's interval
})
options(warn = 1, contrasts = c("contr.treatment", "contr.poly"))

study <- "@@STUDY@@"
results_dir <- file.path("results", study)
processed_dir <- file.path("data", "processed", study)

# The conventions in force for this study (config analysis.conventions, with
# the workflow's defaults filled in; results/<study>/conventions.json explains them).
conventions <- @@CONVENTIONS@@
level <- conventions$ci_level

# The columns of tests.csv (RESULTS_CONTRACT.md), in order.
TEST_COLUMNS <- c(
  "site", "group", "instrument", "scale", "test", "factor", "contrast", "timepoint",
  "method", "n", "statistic_name", "statistic", "df1", "df2", "p", "p_adjusted", "family",
  "effect_name", "effect", "ci_low", "ci_high", "mauchly_w", "mauchly_p", "epsilon",
  "z", "mean_difference", "comparison", "note", "se")

NA_STRINGS <- c("", "NA", "NaN")

read_scores <- function() {
  read.csv(file.path(results_dir, "scores.csv"), na.strings = NA_STRINGS,
           colClasses = c(participant_id = "character"), stringsAsFactors = FALSE)
}

read_participants <- function() {
  read.csv(file.path(processed_dir, "participants.csv"), na.strings = NA_STRINGS,
           colClasses = c(participant_id = "character"), stringsAsFactors = FALSE)
}

# One row of tests.csv: named values over the defaults (NA; site "all").
new_row <- function(base = list(), ...) {
  row <- setNames(rep(list(NA), length(TEST_COLUMNS)), TEST_COLUMNS)
  row$site <- "all"
  row$note <- ""
  values <- c(base, list(...))
  row[names(values)] <- values
  as.data.frame(row, stringsAsFactors = FALSE)
}

bind_rows <- function(rows) {
  if (length(rows) == 0) return(new_row()[0, ])
  do.call(rbind, rows)
}

# Scores of one group x instrument x scale as a participant x timepoint matrix.
to_wide <- function(d, timepoints) {
  ids <- sort(unique(d$participant_id), method = "radix")
  wide <- matrix(NA_real_, length(ids), length(timepoints), dimnames = list(ids, timepoints))
  d <- d[d$timepoint %in% timepoints, ]
  wide[cbind(match(d$participant_id, ids), match(d$timepoint, timepoints))] <- d$score
  wide
}

# The normal deviates wilcox.test computes (tie-corrected; continuity-corrected
# when asked) but does not return; its p-value is 2 * pnorm(-abs(z)).
signed_rank_z <- function(d, correct) {
  d <- d[d != 0]
  n <- length(d)
  r <- rank(abs(d))
  ties <- table(r)
  z <- sum(r[d > 0]) - n * (n + 1) / 4
  sigma <- sqrt(n * (n + 1) * (2 * n + 1) / 24 - sum(ties^3 - ties) / 48)
  (z - if (correct) sign(z) * 0.5 else 0) / sigma
}
rank_sum_z <- function(a, b, correct) {
  na <- length(a); nb <- length(b)
  r <- rank(c(a, b))
  ties <- table(r)
  z <- sum(r[seq_len(na)]) - na * (na + 1) / 2 - na * nb / 2
  sigma <- sqrt((na * nb / 12) * ((na + nb + 1) - sum(ties^3 - ties) / ((na + nb) * (na + nb - 1))))
  (z - if (correct) sign(z) * 0.5 else 0) / sigma
}

# R's rule for wilcox.test(exact = NULL) is the workflow's `auto`.
exact_arg <- function(method) switch(method, exact = TRUE, asymptotic = FALSE, auto = NULL)
method_label <- function(test, correct) {
  if (grepl("exact", test$method)) "exact" else if (correct) "asymptotic_cc" else "asymptotic"
}

# Two-sided CI of a noncentrality parameter: the ncp at which the noncentral
# distribution's cdf at the observed statistic is (1 + level)/2 and (1 - level)/2
# (0 where the central cdf is already below). This is the rule of effectsize's
# ncp intervals (F_to_eta2, cohens_d, cramers_v); effectsize finds the bounds
# with optim (Nelder-Mead), which leaves them 1e-6 to 1e-3 short, so they are
# solved here with uniroot on R's own noncentral distributions.
ncp_ci <- function(cdf, level) {
  bound <- function(target) {
    if (cdf(0) <= target) return(0)
    hi <- 1
    while (cdf(hi) > target) hi <- hi * 2
    uniroot(function(l) cdf(l) - target, c(0, hi), tol = 1e-13, maxiter = 1000)$root
  }
  c(bound((1 + level) / 2), bound((1 - level) / 2))
}

# Eta squared (partial, or generalized via the F it implies) with its ncp interval.
eta_sq_ci <- function(eta, df1, df2) {
  f <- (eta / df1) / ((1 - eta) / df2)
  lambda <- ncp_ci(function(l) pf(f, df1, df2, ncp = l), level)
  lambda / (lambda + df2)
}

# The noncentral-t interval of a t statistic's ncp (which may be negative).
ncp_t_ci <- function(t, df) {
  span <- 10 + abs(t) * 3
  sapply(c((1 + level) / 2, (1 - level) / 2), function(target)
    uniroot(function(l) pt(t, df, ncp = l) - target, c(t - span, t + span), tol = 1e-13,
            maxiter = 1000)$root)
}

# ---- Linear mixed models (lme4 / lmerTest) ----------------------------------
# lme4's default optimiser stops at a deviance change of about 1e-8; tighter
# tolerances make the fit reproducible to 1e-6 in every reported number.
lmer_control <- lmerControl(
  optimizer = "nloptwrap", calc.derivs = FALSE,
  optCtrl = list(xtol_abs = 1e-12, ftol_abs = 1e-14, xtol_rel = 1e-12, ftol_rel = 1e-14,
                 maxeval = 1e5))

fit_mixed <- function(formula, data) {
  lmerTest::lmer(formula, data = data, control = lmer_control,
                 REML = conventions$mixed_model$estimation == "REML")
}

mixed_method <- paste(conventions$mixed_model$estimation, conventions$mixed_model$df, sep = "_")

# Test the contrast sum(weights[name] * beta[name]): Satterthwaite t
# (lmerTest::contest1D) or Wald z, with its confidence interval.
test_contrast <- function(fit, weights) {
  beta <- fixef(fit)
  if (!all(names(weights) %in% names(beta))) {  # a column lme4 dropped (rank deficient)
    return(list(estimate = NA, se = NA, statistic = NA, df = NA, p = NA, low = NA, high = NA))
  }
  L <- setNames(numeric(length(beta)), names(beta))
  L[names(weights)] <- weights
  if (conventions$mixed_model$df == "satterthwaite") {
    ct <- lmerTest::contest1D(fit, L, ddf = "Satterthwaite", confint = TRUE, level = level)
    return(list(estimate = ct$Estimate, se = ct$`Std. Error`, statistic = ct$`t value`,
                df = ct$df, p = ct$`Pr(>|t|)`, low = ct$lower, high = ct$upper))
  }
  est <- sum(L * beta)
  se <- sqrt(drop(t(L) %*% as.matrix(vcov(fit)) %*% L))
  crit <- qnorm(1 - (1 - level) / 2)
  list(estimate = est, se = se, statistic = est / se, df = NA, p = 2 * pnorm(-abs(est / se)),
       low = est - crit * se, high = est + crit * se)
}

mixed_values <- function(res) {
  is_z <- conventions$mixed_model$df != "satterthwaite"
  list(method = mixed_method, statistic_name = if (is_z) "z" else "t",
       statistic = res$statistic, df1 = if (is_z) NA else res$df, p = res$p,
       z = if (is_z) res$statistic else NA, effect_name = "estimate", effect = res$estimate,
       ci_low = res$low, ci_high = res$high, mean_difference = res$estimate, se = res$se)
}

# ---- Multiplicity and output -------------------------------------------------
# p adjusted within each family, separately per test; the effect-size rows of
# one test share its p (as tests.csv).
# A family may have its own method (config multiplicity.families).
adjust_families <- function(tests) {
  r_method <- function(m) switch(m, holm = "holm", bh = "BH", bonferroni = "bonferroni",
                                 none = "none")
  ident <- c("site", "group", "instrument", "scale", "test", "factor", "contrast", "timepoint")
  key <- do.call(paste, c(tests[ident], sep = "|"))
  out <- rep(NA_real_, nrow(tests))
  for (block in split(seq_len(nrow(tests)), paste(tests$family, tests$test, sep = "|"))) {
    first <- block[!duplicated(key[block])]
    own <- conventions$multiplicity_by_family[[tests$family[block[1]]]]
    method <- r_method(if (is.null(own)) conventions$multiplicity else own)
    adjusted <- p.adjust(tests$p[first], method = method)
    out[block] <- adjusted[match(key[block], key[first])]
  }
  out
}

finish <- function(rows, adjust = TRUE) {
  if (adjust && nrow(rows)) rows$p_adjusted <- adjust_families(rows)
  args <- commandArgs(trailingOnly = TRUE)
  if (length(args)) {
    write.csv(rows, args[1], row.names = FALSE, na = "")
    message(nrow(rows), " rows written to ", args[1])
  } else {
    print(rows[, setdiff(names(rows), c("note", "comparison"))], digits = 6, row.names = FALSE)
  }
  invisible(rows)
}

# Run the script's own family when it is called with Rscript (not when all.R sources it).
main_family <- function(fun, adjust = TRUE) if (sys.nframe() <= 1L) finish(fun(), adjust)

plan <- @@PLAN@@

# Mann-Whitney U of level A against level B (A minus B), with the rank-biserial r.
mann_whitney_row <- function(a, b, base) {
  a <- a[!is.na(a)]
  b <- b[!is.na(b)]
  if (length(a) < 2 || length(b) < 2) {
    return(new_row(base, test = "mann_whitney", n = length(a) + length(b),
                   note = sprintf("too few to compare (n = %d and %d)", length(a), length(b))))
  }
  mw <- conventions$mann_whitney
  test <- wilcox.test(a, b, exact = exact_arg(mw$method), correct = mw$correction)
  u <- unname(test$statistic)                       # R's W is U of level A
  method <- method_label(test, mw$correction)
  z <- if (method == "exact") NA else rank_sum_z(a, b, mw$correction)
  rb <- effectsize::rank_biserial(a, b, ci = level, verbose = FALSE)
  if (abs(rb$r_rank_biserial) == 1) rb$CI_low <- rb$CI_high <- NA  # Fisher's z is infinite
  new_row(base, test = "mann_whitney", method = method, n = length(a) + length(b),
          statistic_name = "U", statistic = u, p = test$p.value, z = z,
          effect_name = "rank_biserial", effect = rb$r_rank_biserial, ci_low = rb$CI_low,
          ci_high = rb$CI_high, mean_difference = mean(a) - mean(b),
          note = sprintf("n = %d vs %d", length(a), length(b)))
}

