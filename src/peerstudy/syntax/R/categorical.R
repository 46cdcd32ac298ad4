## ---- Categorical baseline characteristics ----------------------------------
# Pearson's chi-square with Cramer's V for each variable by the plan's factor,
# and Fisher's exact test for 2 x 2 tables.

# Fisher's conditional MLE odds ratio and exact interval, as fisher.test defines
# them, solved with a tight tolerance: fisher.test's own uniroot calls use the
# default tolerance (about 1e-4), which leaves its estimate and bounds a few
# digits short (its p-value is exact).
fisher_precise <- function(tab, level) {
  m <- sum(tab[, 1]); n <- sum(tab[, 2]); k <- sum(tab[1, ]); x <- tab[1, 1]
  support <- max(0, k - n):min(k, m)
  logdc <- dhyper(support, m, n, k, log = TRUE)
  dnhyper <- function(ncp) {
    d <- logdc + log(ncp) * support
    d <- exp(d - max(d))
    d / sum(d)
  }
  mnhyper <- function(ncp) if (ncp == 0) min(support) else if (ncp == Inf) max(support) else
    sum(support * dnhyper(ncp))
  pnhyper <- function(q, ncp, upper = FALSE) {
    if (ncp == 1) return(if (upper) phyper(x - 1, m, n, k, lower.tail = FALSE) else
      phyper(x, m, n, k))
    if (upper) sum(dnhyper(ncp)[support >= q]) else sum(dnhyper(ncp)[support <= q])
  }
  solve <- function(f) {           # root in the odds ratio, searched on the log scale
    uniroot(function(t) f(exp(t)), c(-50, 50), tol = 1e-13, maxiter = 2000)$root
  }
  estimate <- if (x == min(support)) 0 else if (x == max(support)) Inf else
    exp(solve(function(psi) mnhyper(psi) - x))
  alpha <- (1 - level) / 2
  upper <- if (x == max(support)) Inf else exp(solve(function(psi) pnhyper(x, psi) - alpha))
  lower <- if (x == min(support)) 0 else
    exp(solve(function(psi) pnhyper(x, psi, upper = TRUE) - alpha))
  c(estimate, lower, upper)
}

categorical_rows <- function(participants = read_participants()) {
  rows <- list()
  for (spec in plan) {
    for (variable in spec$variables) {
      d <- participants[!is.na(participants[[spec$factor]]) & !is.na(participants[[variable]]), ]
      categories <- sort(unique(d[[variable]]), method = "radix")
      tab <- table(factor(d[[spec$factor]], levels = spec$levels),
                   factor(d[[variable]], levels = categories))
      tab <- tab[rowSums(tab) > 0, , drop = FALSE]
      n <- sum(tab)
      base <- list(group = "all", instrument = "demographics", scale = variable,
                   factor = spec$factor, contrast = paste(rownames(tab), collapse = ","),
                   family = spec$family, comparison = spec$id, n = n)
      correct <- conventions$chi_square$correction
      chi <- suppressWarnings(chisq.test(tab, correct = correct))
      chi2 <- unname(chi$statistic)
      v <- effectsize::chisq_to_cramers_v(chi2, n, nrow(tab), ncol(tab), adjust = FALSE,
                                          ci = NULL)
      lambda <- ncp_ci(function(l) pchisq(chi2, unname(chi$parameter), ncp = l), level)
      v$CI_low <- min(sqrt(lambda[1] / (n * (min(dim(tab)) - 1))), 1)   # effectsize's rule,
      v$CI_high <- min(sqrt(lambda[2] / (n * (min(dim(tab)) - 1))), 1)  # solved tightly
      method <- if (correct && all(dim(tab) == 2)) "asymptotic_cc" else "asymptotic"
      rows[[length(rows) + 1]] <- new_row(
        base, test = "chi_square", method = method, statistic_name = "chi2", statistic = chi2,
        df1 = unname(chi$parameter), p = chi$p.value, effect_name = "cramers_v",
        effect = v$Cramers_v, ci_low = v$CI_low, ci_high = v$CI_high,
        note = sprintf("smallest expected count %.2f", min(chi$expected)))
      if (isTRUE(conventions$fisher_for_2x2) && all(dim(tab) == 2)) {
        ft <- fisher.test(tab, conf.level = level)
        or <- fisher_precise(tab, level)
        rows[[length(rows) + 1]] <- new_row(
          base, test = "fisher_exact", method = "exact", statistic_name = "odds_ratio",
          statistic = or[1], p = ft$p.value, effect_name = "odds_ratio", effect = or[1],
          ci_low = or[2], ci_high = or[3],
          note = sprintf("fisher.test's own estimate %.6g, CI %.6g to %.6g",
                         ft$estimate, ft$conf.int[1], ft$conf.int[2]))
      }
    }
  }
  bind_rows(rows)
}

main_family(categorical_rows)
