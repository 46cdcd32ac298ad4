## ---- Completers against drop-outs at baseline -------------------------------
# A completer was seen at the group's last scheduled timepoint. Every scale
# measured at the plan's timepoint, in every group that has both kinds.

as_flag <- function(x) {
  ifelse(x %in% c("True", "TRUE", "true"), TRUE,
         ifelse(x %in% c("False", "FALSE", "false"), FALSE, NA))
}

attrition_rows <- function(scores = read_scores(), participants = read_participants()) {
  rows <- list()
  for (g in plan$groups) {
    people <- participants[participants$group == g$group, ]
    completer <- as_flag(people[[paste0("attended_", g$last)]])
    names(completer) <- people$participant_id
    known <- completer[!is.na(completer)]
    if (all(known) || !any(known)) next
    at <- scores[scores$group == g$group & scores$timepoint == plan$timepoint, ]
    keys <- unique(at[, c("instrument", "scale")])
    keys <- keys[order(keys$instrument, keys$scale, method = "radix"), ]
    for (i in seq_len(nrow(keys))) {
      sel <- at[at$instrument == keys$instrument[i] & at$scale == keys$scale[i], ]
      status <- completer[sel$participant_id]
      base <- list(group = g$group, instrument = keys$instrument[i], scale = keys$scale[i],
                   factor = "completion", contrast = "completer-dropout",
                   timepoint = plan$timepoint, family = plan$family, comparison = "attrition")
      rows[[length(rows) + 1]] <- mann_whitney_row(sel$score[status %in% TRUE],
                                                   sel$score[status %in% FALSE], base)
    }
  }
  bind_rows(rows)
}

main_family(attrition_rows)
