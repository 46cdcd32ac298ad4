## ---- Arm x time linear mixed models ----------------------------------------
# score ~ arm * timepoint (+ site) + (1 | participant_id) (+ (1 | site)) on all
# available data; arm B and the first timepoint are the reference levels, so
# arm A minus arm B at timepoint t is armA + armA:timepoint<t>, and the
# difference in change from the first timepoint is armA:timepoint<t>.

arm_models_rows <- function(scores = read_scores()) {
  rows <- list()
  for (spec in plan) {
    a <- spec$arms[1]; b <- spec$arms[2]
    rhs <- switch(spec$site_effect,
                  fixed = "arm * timepoint + site + (1 | participant_id)",
                  random = "arm * timepoint + (1 | participant_id) + (1 | site)",
                  none = "arm * timepoint + (1 | participant_id)")
    site_note <- switch(spec$site_effect, fixed = "site as a fixed effect",
                        random = "site as a random intercept", none = "no site effect")
    for (sc in spec$scales) {
      d <- scores[scores$instrument == sc$instrument & scores$scale == sc$scale &
                    scores$group %in% spec$arms & scores$timepoint %in% spec$timepoints &
                    !is.na(scores$score), ]
      d$arm <- factor(d$group, levels = c(b, a))
      d$timepoint <- factor(d$timepoint, levels = spec$timepoints)
      d$site <- factor(d$site, levels = sort(unique(d$site), method = "radix"))
      fit <- fit_mixed(as.formula(paste("score ~", rhs)), d)
      note <- paste0("arm x time, ", site_note, ", all available data",
                     if (isSingular(fit)) "; singular fit" else "")
      common <- list(group = "all", instrument = sc$instrument, scale = sc$scale,
                     factor = "arm", contrast = paste(a, b, sep = "-"),
                     n = length(unique(d$participant_id)), family = spec$family,
                     comparison = spec$id)
      for (i in seq_along(spec$timepoints)) {
        tp <- spec$timepoints[i]
        interaction <- paste0("arm", a, ":timepoint", tp)
        difference <- c(1, if (i > 1) 1)
        names(difference) <- c(paste0("arm", a), if (i > 1) interaction)
        res <- test_contrast(fit, difference)
        rows[[length(rows) + 1]] <- do.call(new_row, c(
          list(common), list(test = "mixed_model", timepoint = tp), mixed_values(res),
          list(note = note)))
        if (i > 1) {
          res <- test_contrast(fit, setNames(1, interaction))
          rows[[length(rows) + 1]] <- do.call(new_row, c(
            list(common), list(test = "mixed_model_change",
                               timepoint = paste(spec$timepoints[1], tp, sep = "-")),
            mixed_values(res), list(note = note)))
        }
      }
    }
  }
  bind_rows(rows)
}

main_family(arm_models_rows)
