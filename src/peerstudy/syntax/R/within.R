## ---- Within-person comparisons over time ------------------------------------
# For each comparison of the plan and each scale: the omnibus tests on complete
# cases, the paired tests on complete pairs of each contrast (later minus
# earlier), and the mixed model on all available data.

omnibus_rows <- function(wide, spec, base) {
  rows <- list()
  complete <- wide[stats::complete.cases(wide), , drop = FALSE]
  n <- nrow(complete)
  k <- ncol(complete)
  total <- sum(rowSums(!is.na(wide)) > 0)
  note <- sprintf("complete cases: %d of %d participants", n, total)
  contrast <- paste(spec$timepoints, collapse = ",")
  if ("rm_anova" %in% spec$omnibus && n >= 3) {
    long <- data.frame(id = rep(rownames(complete), k),
                       timepoint = factor(rep(colnames(complete), each = n),
                                          levels = spec$timepoints),
                       score = as.vector(complete))
    fit <- suppressMessages(afex::aov_ez("id", "score", long, within = "timepoint"))
    tab <- anova(fit, correction = "none", es = c("pes", "ges"))
    f_value <- tab$F; df1 <- tab$`num Df`; df2 <- tab$`den Df`
    if (k > 2) {
      sph <- summary(fit)
      mauchly_w <- sph$sphericity.tests[1, "Test statistic"]
      gg <- sph$pval.adjustments[1, "GG eps"]
      # Mauchly's p as SPSS prints it: the chi-square approximation alone (car's
      # p adds Anderson's higher-order term).
      p_dim <- k - 1
      rho <- 1 - (2 * p_dim^2 + p_dim + 2) / (6 * p_dim * (n - 1))
      mauchly_p <- pchisq(-(n - 1) * rho * log(mauchly_w), p_dim * (p_dim + 1) / 2 - 1,
                          lower.tail = FALSE)
      # Huynh-Feldt epsilon in its original form, as SPSS prints it, capped at 1
      # (newer car versions print Lecoutre's variant).
      hf <- min(1, (n * p_dim * gg - 2) / (p_dim * (n - 1 - p_dim * gg)))
    } else {
      mauchly_w <- NA; mauchly_p <- NA; gg <- 1; hf <- 1
    }
    # Intervals: noncentral F with the uncorrected df, as effectsize::F_to_eta2 and
    # effectsize::eta_squared(fit, generalized = TRUE) define them; the same on every row.
    effects <- list(
      partial_eta_sq = c(tab$pes, eta_sq_ci(tab$pes, df1, df2)),
      generalized_eta_sq = c(tab$ges, eta_sq_ci(tab$ges, df1, df2)))
    variants <- list(rm_anova = c(NA, 1), rm_anova_gg = c(gg, gg), rm_anova_hf = c(hf, hf))
    for (test in names(variants)) {
      eps <- variants[[test]][2]
      p <- pf(f_value, df1 * eps, df2 * eps, lower.tail = FALSE)
      for (effect in names(effects)) {
        e <- effects[[effect]]
        rows[[length(rows) + 1]] <- new_row(
          base, test = test, contrast = contrast, method = "F", n = n, statistic_name = "F",
          statistic = f_value, df1 = df1 * eps, df2 = df2 * eps, p = p, effect_name = effect,
          effect = e[1], ci_low = e[2], ci_high = e[3], mauchly_w = mauchly_w,
          mauchly_p = mauchly_p, epsilon = variants[[test]][1], note = note)
      }
    }
  }
  if ("friedman" %in% spec$omnibus && n >= 3) {
    ft <- friedman.test(complete)
    chi2 <- unname(ft$statistic)
    w <- effectsize::kendalls_w(complete, ci = NULL, verbose = FALSE)$Kendalls_W
    # Kendall's W interval: noncentral chi-square of Friedman's statistic, lambda / (n (k - 1)).
    ci <- pmin(ncp_ci(function(l) pchisq(chi2, k - 1, ncp = l), level) / (n * (k - 1)), 1)
    rows[[length(rows) + 1]] <- new_row(
      base, test = "friedman", contrast = contrast, method = "asymptotic", n = n,
      statistic_name = "chi2", statistic = chi2, df1 = unname(ft$parameter), p = ft$p.value,
      effect_name = "kendall_w", effect = w, ci_low = ci[1], ci_high = ci[2], note = note)
  }
  rows
}

wilcoxon_row <- function(earlier, later, base) {
  w <- conventions$wilcoxon
  d <- later - earlier
  n <- length(d)
  n_nonzero <- sum(d != 0)
  note <- sprintf("%d zero differences (%s)", n - n_nonzero, w$zero_method)
  if (w$zero_method != "wilcox") {
    stop("zero_method 'pratt' has no equivalent in stats::wilcox.test (R drops zeros)")
  }
  if (n_nonzero == 0) {
    method <- if (w$method == "exact") "exact" else "asymptotic"
    return(new_row(base, test = "wilcoxon", method = method, n = n, statistic_name = "V",
                   statistic = 0, p = 1, effect_name = "rank_biserial", effect = NA,
                   mean_difference = mean(d), note = note))
  }
  test <- wilcox.test(later, earlier, paired = TRUE, exact = exact_arg(w$method),
                      correct = w$correction)
  v <- unname(test$statistic)
  method <- method_label(test, w$correction)
  z <- if (method == "exact") NA else signed_rank_z(d, w$correction)
  # Given the differences: with two vectors effectsize counts the non-zero later
  # scores, not the non-zero differences, in the interval's standard error.
  rb <- effectsize::rank_biserial(d, ci = level, verbose = FALSE)
  if (abs(rb$r_rank_biserial) == 1) rb$CI_low <- rb$CI_high <- NA  # Fisher's z is infinite
  new_row(base, test = "wilcoxon", method = method, n = n, statistic_name = "V", statistic = v,
          p = test$p.value, z = z, effect_name = "rank_biserial", effect = rb$r_rank_biserial,
          ci_low = rb$CI_low, ci_high = rb$CI_high, mean_difference = mean(d), note = note)
}

paired_t_rows <- function(earlier, later, base) {
  d <- later - earlier
  n <- length(d)
  sd_av <- (sd(earlier) + sd(later)) / 2
  if (sd(d) == 0) {
    t_value <- NA; df <- n - 1; p <- NA
  } else {
    tt <- t.test(later, earlier, paired = TRUE)
    t_value <- unname(tt$statistic); df <- unname(tt$parameter); p <- tt$p.value
  }
  effects <- list(cohen_dz = rep(NA, 3), cohen_dav = rep(NA, 3), hedges_gav = rep(NA, 3))
  if (sd(d) > 0 && sd_av > 0) {
    dz <- effectsize::cohens_d(later, earlier, paired = TRUE, ci = NULL, verbose = FALSE)
    # d_z's interval inverts the noncentral t of the paired t-test (effectsize's rule)
    dz_ci <- ncp_t_ci(t_value, n - 1) / sqrt(n)
    scale <- sd(d) / sd_av                 # Algina & Keselman (2003): d_z bounds x s_D / s_av
    j <- 1 - 3 / (4 * (n - 1) - 1)         # Hedges' small-sample factor
    dav <- mean(d) / sd_av
    dz <- list(Cohens_d = dz$Cohens_d, CI_low = dz_ci[1], CI_high = dz_ci[2])
    effects <- list(
      cohen_dz = c(dz$Cohens_d, dz$CI_low, dz$CI_high),
      cohen_dav = c(dav, dz$CI_low * scale, dz$CI_high * scale),
      hedges_gav = c(dav * j, dz$CI_low * scale * j, dz$CI_high * scale * j))
  }
  lapply(conventions$effect_sizes, function(name) {
    e <- effects[[name]]
    new_row(base, test = "paired_t", method = "t", n = n, statistic_name = "t",
            statistic = t_value, df1 = df, p = p, effect_name = name, effect = e[1],
            ci_low = e[2], ci_high = e[3], mean_difference = mean(d))
  })
}

pair_rows <- function(earlier, later, spec, base) {
  n <- length(earlier)
  if (n < 2) {
    return(lapply(spec$tests, function(test) new_row(base, test = test, n = n,
                                                     note = "fewer than 2 complete pairs")))
  }
  rows <- list()
  if ("wilcoxon" %in% spec$tests) rows[[length(rows) + 1]] <- wilcoxon_row(earlier, later, base)
  if ("paired_t" %in% spec$tests) rows <- c(rows, paired_t_rows(earlier, later, base))
  rows
}

mixed_rows <- function(wide, spec, base) {
  long <- data.frame(participant_id = rep(rownames(wide), ncol(wide)),
                     timepoint = factor(rep(colnames(wide), each = nrow(wide)),
                                        levels = spec$timepoints),
                     score = as.vector(wide), stringsAsFactors = FALSE)
  long <- long[!is.na(long$score), ]
  n <- length(unique(long$participant_id))
  if (n < 3) return(list())
  # score ~ timepoint + (1 | participant), all available data
  fit <- fit_mixed(score ~ timepoint + (1 | participant_id), long)
  first <- spec$timepoints[1]
  lapply(spec$pairs, function(pair) {
    weights <- c(1, -1)
    names(weights) <- paste0("timepoint", c(pair[2], pair[1]))
    weights <- weights[c(pair[2], pair[1]) != first]     # the reference level has no column
    res <- test_contrast(fit, weights)
    do.call(new_row, c(list(base), list(test = "mixed_model",
                                        contrast = paste(pair, collapse = "-"), n = n),
                       mixed_values(res),
                       list(note = if (isSingular(fit)) "singular fit" else "")))
  })
}

within_rows <- function(scores = read_scores()) {
  rows <- list()
  for (spec in plan) {
    for (sc in spec$scales) {
      sel <- scores[scores$group == spec$group & scores$instrument == sc$instrument &
                      scores$scale == sc$scale, ]
      wide <- to_wide(sel, spec$timepoints)
      base <- list(group = spec$group, instrument = sc$instrument, scale = sc$scale,
                   factor = "timepoint", family = spec$family, comparison = spec$id)
      rows <- c(rows, omnibus_rows(wide, spec, base))
      for (pair in spec$pairs) {
        both <- wide[!is.na(wide[, pair[1]]) & !is.na(wide[, pair[2]]), pair, drop = FALSE]
        rows <- c(rows, pair_rows(both[, 1], both[, 2], spec,
                                  c(base, list(contrast = paste(pair, collapse = "-")))))
      }
      if (isTRUE(spec$mixed_model)) rows <- c(rows, mixed_rows(wide, spec, base))
    }
  }
  bind_rows(rows)
}

main_family(within_rows)
