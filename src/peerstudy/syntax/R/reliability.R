## ---- Internal consistency: Cronbach's alpha, Feldt CI, omega total -----------
# For each group x instrument x timepoint and each multi-item scale: the items
# keyed for the scale (reverse-keyed: low + high - answer), complete cases only.
# alpha by psych::alpha, its Feldt interval by psych::alpha.ci, omega total
# from a one-factor ML fit by factanal, given the deterministic starts
# peerstudy uses (factanal's default and each "item j is the factor" start).

RELIABILITY_COLUMNS <- c("group", "instrument", "scale", "timepoint", "n", "k_items", "alpha",
                         "alpha_ci_low", "alpha_ci_high", "omega", "note")
HEYWOOD <- 0.005   # factanal's lower bound for the uniquenesses

omega_total <- function(x) {
  n <- nrow(x); k <- ncol(x)
  if (n <= k) return(list(omega = NA, note = sprintf("omega not estimated: n = %d <= k = %d items", n, k)))
  if (any(apply(x, 2, var) == 0)) return(list(omega = NA, note = "omega not estimated: an item has no variance in this sample"))
  r <- cor(x)
  if (min(eigen(r, symmetric = TRUE, only.values = TRUE)$values) < 1e-8) {
    return(list(omega = NA, note = "omega not estimated: item correlation matrix is singular"))
  }
  if (k < 3) return(list(omega = NA, note = "omega not estimated: a one-factor model needs at least 3 items"))
  heywood <- pmin(pmax(1 - r^2, HEYWOOD), 1)
  diag(heywood) <- HEYWOOD
  starts <- cbind(pmin(pmax((1 - 0.5 / k) / diag(solve(r)), HEYWOOD), 1), heywood)
  fa <- factanal(covmat = r, factors = 1, n.obs = n, start = starts,
                 control = list(lower = HEYWOOD, opt = list(factr = 1e3, pgtol = 0, maxit = 10000)))
  psi <- fa$uniquenesses
  if (any(psi <= HEYWOOD * (1 + 1e-6))) {
    return(list(omega = NA, note = sprintf(
      "omega not estimated: Heywood case (uniqueness of %s at the bound 0.005 in the best one-factor fit)",
      paste(colnames(x)[psi <= HEYWOOD * (1 + 1e-6)], collapse = ", "))))
  }
  loadings <- fa$loadings[, 1]
  if (sum(loadings) < 0) loadings <- -loadings   # the factor's sign is arbitrary
  list(omega = sum(loadings)^2 / (sum(loadings)^2 + sum(psi)), note = "")
}

reliability_rows <- function() {
  items <- read.csv(file.path(processed_dir, "items.csv"), na.strings = NA_STRINGS,
                    colClasses = c(participant_id = "character"), stringsAsFactors = FALSE)
  keys <- unique(items[, c("group", "instrument", "timepoint")])
  keys <- keys[order(keys$group, keys$instrument, keys$timepoint, method = "radix"), ]
  rows <- list()
  for (i in seq_len(nrow(keys))) {
    block <- items[items$group == keys$group[i] & items$instrument == keys$instrument[i] &
                     items$timepoint == keys$timepoint[i], ]
    ids <- sort(unique(block$participant_id), method = "radix")
    for (sc in plan$instruments[[keys$instrument[i]]]) {
      k <- length(sc$items)
      x <- matrix(NA_real_, length(ids), k, dimnames = list(ids, sc$items))
      inside <- block$item %in% sc$items
      x[cbind(match(block$participant_id[inside], ids), match(block$item[inside], sc$items))] <-
        block$value[inside]
      flip <- matrix(sc$reversed, nrow(x), k, byrow = TRUE)
      x <- ifelse(flip, matrix(sc$low + sc$high, nrow(x), k, byrow = TRUE) - x, x)
      x <- x[stats::complete.cases(x), , drop = FALSE]
      n <- nrow(x)
      row <- list(group = keys$group[i], instrument = keys$instrument[i], scale = sc$id,
                  timepoint = keys$timepoint[i], n = n, k_items = k)
      if (n < 3) {
        rows[[length(rows) + 1]] <- c(row, alpha = NA, alpha_ci_low = NA, alpha_ci_high = NA,
                                      omega = NA, note = sprintf("not estimated: n = %d complete cases", n))
        next
      }
      alpha <- if (var(rowSums(x)) == 0) NA else if (any(apply(x, 2, var) == 0)) {
        # psych::alpha drops items without variance (and says so); Cronbach's
        # formula over all k items of the scale is what reliability.csv reports.
        k / (k - 1) * (1 - sum(apply(x, 2, var)) / var(rowSums(x)))
      } else {
        suppressWarnings(psych::alpha(x, check.keys = FALSE, warnings = FALSE))$total$raw_alpha
      }
      ci <- if (is.na(alpha)) list(lower.ci = NA, upper.ci = NA) else
        psych::alpha.ci(alpha, n, k, p.val = 1 - plan$ci_level)
      om <- omega_total(x)
      rows[[length(rows) + 1]] <- c(row, alpha = alpha, alpha_ci_low = ci$lower.ci,
                                    alpha_ci_high = ci$upper.ci, omega = om$omega,
                                    note = om$note)
    }
  }
  out <- do.call(rbind, lapply(rows, as.data.frame, stringsAsFactors = FALSE))
  out[, RELIABILITY_COLUMNS]
}

main_family(reliability_rows, adjust = FALSE)
