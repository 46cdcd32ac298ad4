## ---- A randomised trial: baseline-adjusted arm x time mixed models -----------
# For each outcome: score ~ baseline + arm * time (+ site) + (1 | participant_id)
# (+ (1 | site)) on the follow-up assessments (all available data: intention to
# treat), control arm and first follow-up the reference levels, so that the arm
# difference at follow-up t is armA + armA:time<t> and the arm x time interaction
# is armA:time<t>. Site is a random intercept from `random_site_min_sites` sites
# up, a fixed effect below (conventions.json, trial). The standardised effect is
# the estimate (and its CI) divided by the SD of the outcome at baseline, both
# arms pooled. Sensitivity: the same model on complete cases, and on each data set
# of results/<study>/trial/imputations.csv, pooled with mice::pool.scalar (Rubin's
# rules, Barnard-Rubin df with the mean Satterthwaite df as complete-data df).
# The imputations themselves were drawn by the workflow (chained equations, PMM);
# R's mice would draw others, so this script re-analyses and pools those same
# data sets. Variance components of each outcome's model: as.data.frame(VarCorr(fit)),
# with intraclass correlations (site: its share of the total variance; participant:
# the participant and site shares together). Exploratory, for the outcomes in
# by_site: the arm difference at the endpoint at each site from score ~ baseline +
# arm * time + site + arm:site + (1 | participant_id), and anova() of the ML fits
# with and without arm:site (likelihood-ratio chi-square). Exploratory: the primary
# outcome at the endpoint on the peer worker's fidelity score, in the intervention
# arm, with a random intercept per peer worker.

outcome_wide <- function(scores, instrument, scale) {
  tps <- c(plan$baseline, plan$follow_up)
  d <- scores[scores$instrument == instrument & scores$scale == scale &
                scores$group %in% plan$arms & scores$timepoint %in% tps, ]
  ids <- sort(unique(d$participant_id), method = "radix")
  first <- d[match(ids, d$participant_id), ]
  w <- data.frame(participant_id = ids, site = first$site, group = first$group,
                  stringsAsFactors = FALSE)
  for (tp in tps) {
    at <- d[d$timepoint == tp, ]
    w[[tp]] <- at$score[match(ids, at$participant_id)]
  }
  w
}

model_data <- function(w) {
  long <- do.call(rbind, lapply(plan$follow_up, function(tp) data.frame(
    participant_id = w$participant_id, site = w$site, group = w$group, time = tp,
    baseline = w[[plan$baseline]], score = w[[tp]], stringsAsFactors = FALSE)))
  long <- long[!is.na(long$baseline) & !is.na(long$score), ]
  long$arm <- factor(long$group, levels = rev(plan$arms))
  long$time <- factor(long$time, levels = plan$follow_up)
  long$site <- factor(long$site, levels = sort(unique(long$site), method = "radix"))
  long
}

site_model <- function(n_sites) {
  if (plan$site_effect != "auto") return(plan$site_effect)
  if (n_sites < 2) return("none")
  if (n_sites >= plan$random_site_min_sites) "random" else "fixed"
}

trial_formula <- function(model) {
  as.formula(switch(model,
    random = "score ~ baseline + arm * time + (1 | participant_id) + (1 | site)",
    fixed = "score ~ baseline + arm * time + site + (1 | participant_id)",
    none = "score ~ baseline + arm * time + (1 | participant_id)"))
}

difference <- function(tp) {
  a <- plan$arms[1]
  w <- c(1, if (tp != plan$follow_up[1]) 1)
  names(w) <- c(paste0("arm", a), if (tp != plan$follow_up[1]) paste0("arm", a, ":time", tp))
  w
}

# The variance components of a fitted model and their intraclass correlations.
variance_rows <- function(fit, common, n) {
  vc <- as.data.frame(VarCorr(fit))
  var <- setNames(vc$vcov, ifelse(vc$grp == "Residual", "residual", vc$grp))
  total <- sum(var)
  site <- if ("site" %in% names(var)) var[["site"]] else 0
  base <- c(common, list(test = "mixed_model_variance", n = n,
                         method = conventions$mixed_model$estimation))
  rows <- lapply(names(var), function(g)
    do.call(new_row, c(list(base), list(factor = g, effect_name = "variance", effect = var[[g]]))))
  for (g in setdiff(names(var), "residual")) {
    share <- if (g == "site") site / total else (site + var[[g]]) / total
    rows <- c(rows, list(do.call(new_row, c(list(base), list(factor = g, effect_name = "icc",
                                                             effect = share)))))
  }
  rows
}

# Exploratory: the arm difference at the endpoint by site, and the likelihood-ratio
# test of arm x site (both models fitted by ML).
by_site_rows <- function(long, common) {
  a <- plan$arms[1]
  sites <- levels(long$site)
  if (length(sites) < 2) return(list())
  tp <- plan$primary_endpoint
  base <- c(common, list(factor = "arm", timepoint = tp, family = plan$by_site_family))
  f0 <- score ~ baseline + arm * time + site + (1 | participant_id)
  f1 <- score ~ baseline + arm * time + site + arm:site + (1 | participant_id)
  fit <- fit_mixed(f1, long)
  rows <- list()
  for (s in sites) {
    w <- difference(tp)
    if (s != sites[1]) w[paste0("arm", a, ":site", s)] <- 1
    res <- test_contrast(fit, w)
    n <- length(unique(long$participant_id[long$site == s]))
    rows <- c(rows, list(do.call(new_row, c(list(c(base, list(
      site = s, test = "mixed_model_by_site", n = n))), mixed_values(res)))))
  }
  ml0 <- lme4::lmer(f0, data = long, control = lmer_control, REML = FALSE)
  ml1 <- lme4::lmer(f1, data = long, control = lmer_control, REML = FALSE)
  lrt <- anova(ml0, ml1)
  base$factor <- "arm_x_site"
  c(rows, list(do.call(new_row, c(list(base), list(
    site = "all", test = "mixed_model_site_lrt", method = "ML_lrt",
    n = length(unique(long$participant_id)), statistic_name = "chi2",
    statistic = lrt$Chisq[2], df1 = lrt$Df[2], p = lrt$`Pr(>Chisq)`[2])))))
}

# The estimate's row and its standardised effect's row (same test, p and SE).
effect_rows <- function(base, res, sd) {
  est <- do.call(new_row, c(list(base), mixed_values(res)))
  smd <- est
  smd$effect_name <- "smd_baseline_sd"
  smd$effect <- res$estimate / sd
  smd$ci_low <- res$low / sd
  smd$ci_high <- res$high / sd
  list(est, smd)
}

trial_rows <- function(scores = read_scores(), participants = read_participants()) {
  a <- plan$arms[1]; b <- plan$arms[2]
  rows <- list()
  add <- function(new) rows <<- c(rows, new)
  imputations <- if (length(plan$mi_outcomes)) {
    read.csv(file.path(results_dir, "trial", "imputations.csv"), na.strings = NA_STRINGS,
             colClasses = c(participant_id = "character"), stringsAsFactors = FALSE)
  }
  for (out in plan$outcomes) {
    w <- outcome_wide(scores, out$instrument, out$scale)
    long <- model_data(w)
    model <- site_model(length(unique(long$site)))
    sd_base <- sd(w[[plan$baseline]], na.rm = TRUE)
    common <- list(group = "all", instrument = out$instrument, scale = out$scale,
                   contrast = paste(a, b, sep = "-"), comparison = plan$id)
    family <- function(tp) if (tp == plan$primary_endpoint) plan$families[[out$role]] else
      plan$families$supportive
    fit <- fit_mixed(trial_formula(model), long)
    n <- length(unique(long$participant_id))
    add(variance_rows(fit, common, n))
    if (any(vapply(plan$by_site, function(o) o$instrument == out$instrument &&
                     o$scale == out$scale, logical(1)))) {
      add(by_site_rows(long, common))
    }
    for (tp in plan$follow_up) {
      base <- c(common, list(test = "mixed_model", factor = "arm", timepoint = tp, n = n,
                             family = family(tp)))
      add(effect_rows(base, test_contrast(fit, difference(tp)), sd_base))
    }
    for (tp in plan$follow_up[-1]) {
      res <- test_contrast(fit, setNames(1, paste0("arm", a, ":time", tp)))
      add(list(do.call(new_row, c(list(c(common, list(
        test = "mixed_model_interaction", factor = "arm_x_time",
        timepoint = paste(plan$follow_up[1], tp, sep = "-"), n = n,
        family = plan$families$supportive))), mixed_values(res)))))
    }
    endpoint <- c(common, list(factor = "arm", timepoint = plan$primary_endpoint,
                               family = plan$families[[out$role]]))
    if (plan$complete_cases) {
      complete <- w[stats::complete.cases(w[, c(plan$baseline, plan$follow_up)]), ]
      cc <- model_data(complete)
      res <- test_contrast(fit_mixed(trial_formula(model), cc), difference(plan$primary_endpoint))
      add(effect_rows(c(endpoint, list(test = "mixed_model_complete_cases",
                                       n = length(unique(cc$participant_id)))), res, sd_base))
    }
    imputed <- vapply(plan$mi_outcomes, function(o) o$instrument == out$instrument &&
                        o$scale == out$scale, logical(1))
    if (any(imputed)) {
      imp <- imputations[imputations$instrument == out$instrument & imputations$scale == out$scale, ]
      q <- u <- dfs <- numeric(0)
      for (m in sort(unique(imp$imputation))) {
        d <- imp[imp$imputation == m, ]
        d$instrument <- out$instrument
        wm <- outcome_wide(d, out$instrument, out$scale)
        lm_ <- model_data(wm)
        res <- test_contrast(fit_mixed(trial_formula(model), lm_), difference(plan$primary_endpoint))
        q <- c(q, res$estimate); u <- c(u, res$se^2); dfs <- c(dfs, res$df)
        n_mi <- length(unique(lm_$participant_id))
      }
      pooled <- mice::pool.scalar(q, u, n = mean(dfs) + 1, k = 1)
      se <- sqrt(pooled$t)
      crit <- qt(1 - (1 - level) / 2, pooled$df)
      res <- list(estimate = pooled$qbar, se = se, statistic = pooled$qbar / se, df = pooled$df,
                  p = 2 * pt(-abs(pooled$qbar / se), pooled$df),
                  low = pooled$qbar - crit * se, high = pooled$qbar + crit * se)
      new <- effect_rows(c(endpoint, list(test = "mixed_model_mi", n = n_mi)), res, sd_base)
      new <- lapply(new, function(r) { r$method <- paste0(r$method, "_rubin"); r })
      add(new)
    }
  }
  if (!is.null(plan$fidelity)) add(list(fidelity_row(scores, participants)))
  bind_rows(rows)
}

fidelity_row <- function(scores, participants) {
  fid <- plan$fidelity
  primary <- Filter(function(o) o$role == "primary", plan$outcomes)[[1]]
  w <- outcome_wide(scores, primary$instrument, primary$scale)
  w <- w[w$group == plan$arms[1], ]
  rated <- scores[scores$instrument == fid$instrument & scores$scale == fid$scale &
                    scores$timepoint == fid$timepoint, ]
  worker <- as.character(participants$peer_worker[match(w$participant_id,
                                                        participants$participant_id)])
  d <- data.frame(participant_id = w$participant_id, site = w$site, peer_worker = worker,
                  baseline = w[[plan$baseline]],
                  fidelity = rated$score[match(worker, rated$participant_id)],
                  score = w[[plan$primary_endpoint]], stringsAsFactors = FALSE)
  d <- d[stats::complete.cases(d), ]
  d$site <- factor(d$site, levels = sort(unique(d$site), method = "radix"))
  model <- site_model(length(unique(d$site)))
  formula <- as.formula(switch(model,
    random = "score ~ baseline + fidelity + (1 | peer_worker) + (1 | site)",
    fixed = "score ~ baseline + fidelity + site + (1 | peer_worker)",
    none = "score ~ baseline + fidelity + (1 | peer_worker)"))
  res <- test_contrast(fit_mixed(formula, d), c(fidelity = 1))
  do.call(new_row, c(list(list(
    group = plan$arms[1], instrument = primary$instrument, scale = primary$scale,
    test = "mixed_model", factor = "fidelity",
    contrast = paste(fid$instrument, fid$scale, sep = "."), timepoint = plan$primary_endpoint,
    n = nrow(d), family = fid$family, comparison = paste0(plan$id, "_fidelity"))),
    mixed_values(res)))
}

main_family(trial_rows)
