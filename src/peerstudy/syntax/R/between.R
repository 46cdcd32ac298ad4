## ---- Comparisons between independent groups at one timepoint ----------------
# Mann-Whitney U of level A against level B for each scale, within each stratum.

between_rows <- function(scores = read_scores()) {
  rows <- list()
  for (spec in plan) {
    at <- scores[scores$timepoint == spec$timepoint, ]
    for (stratum in spec$strata) {
      pool <- if (stratum == "all") at else at[at$group == stratum, ]
      for (sc in spec$scales) {
        if (!sc$instrument %in% pool$instrument) next
        sel <- pool[pool$instrument == sc$instrument & pool$scale == sc$scale, ]
        base <- list(group = stratum, instrument = sc$instrument, scale = sc$scale,
                     factor = spec$factor_label,
                     contrast = paste(spec$levels, collapse = "-"),
                     timepoint = spec$timepoint, family = spec$family, comparison = spec$id)
        rows[[length(rows) + 1]] <- mann_whitney_row(
          sel$score[sel[[spec$factor]] == spec$levels[1]],
          sel$score[sel[[spec$factor]] == spec$levels[2]], base)
      }
    }
  }
  bind_rows(rows)
}

main_family(between_rows)
