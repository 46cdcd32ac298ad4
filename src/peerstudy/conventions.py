"""The statistical conventions in force: the config's, with defaults filled in.

Kept free of numpy and pandas because the Snakefile calls it on every run,
including no-op runs.
"""

from __future__ import annotations


def _defaults(*path: str):
    """A default the config schema declares (workflow/schemas/config.schema.yaml: the one
    place where defaults live)."""
    from peerstudy.config import schema_defaults

    return schema_defaults(*path)


DEFAULT_CONVENTIONS = _defaults("analysis", "conventions")


MIXED_DF = {
    "satterthwaite": "t tests with Satterthwaite's degrees of freedom (Satterthwaite 1946), "
                     "as lmerTest::contest1D(ddf = 'Satterthwaite') and SPSS MIXED report them; "
                     "t-based CIs",
    "asymptotic": "Wald z tests and z-based CIs (normal distribution, no df), as "
                  "summary() of an lme4 fit read with the normal distribution",
}


def conventions(analysis: dict) -> dict:
    """The conventions in force: the config's, with defaults filled in and explained."""
    conv = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_CONVENTIONS.items()}
    for key, value in analysis.get("conventions", {}).items():
        conv[key] = {**conv[key], **value} if isinstance(value, dict) else value
    mm = conv["mixed_model"]
    level = conv["ci_level"]
    return {
        "alpha": analysis.get("alpha", _defaults("analysis", "alpha")),
        "conventions": conv,
        "multiplicity": {"method": analysis.get("multiplicity", {}).get(
                             "method", _defaults("analysis", "multiplicity", "method")),
                         "families": sorted({c["family"] for c in _all_comparisons(analysis)}
                                            | trial_families(analysis)),
                         "by_family": dict(sorted(analysis.get("multiplicity", {}).get(
                             "families", {}).items())),
                         "scope": "within each family, separately per test",
                         "implementation": "as R p.adjust (holm, BH, bonferroni); tests that "
                                           "could not be computed are not counted"},
        "definitions": {
            "signed_effects": "later minus earlier; level A minus level B",
            "cohen_dz": "mean difference / SD of differences",
            "cohen_dav": "mean difference / mean of the two SDs (Lakens 2013)",
            "hedges_gav": "d_av x (1 - 3/(4(n-1) - 1))",
            "rank_biserial": "(T+ - T-)/(T+ + T-) paired; 2U/(n_A n_B) - 1 independent",
            "partial_eta_sq": "SS_time / (SS_time + SS_error) (SPSS)",
            "generalized_eta_sq": "SS_time / (SS_time + SS_subjects + SS_error) (Bakeman 2005)",
            "kendall_w": "Friedman chi2 / (n (k - 1)), tie-corrected",
            "cramers_v": "sqrt(chi2 / (n (min(r, c) - 1))), no bias correction",
            "odds_ratio": "conditional maximum-likelihood estimate (R fisher.test), not ad/bc",
            "rm_anova": "complete cases only; Mauchly's W with the chi-square approximation "
                        "(SPSS; R's mauchly.test adds a higher-order term to its p); GG and "
                        "HF (original Huynh-Feldt, as SPSS; newer R car uses Lecoutre's "
                        "variant) corrected rows",
            "mixed_model": f"score ~ timepoint + (1 | participant), {mm['estimation']}, all "
                           "available data; later-minus-earlier contrasts of the fixed effects",
            "arm_models": f"score ~ arm * timepoint (+ site fixed) + (1 | participant) "
                          f"(+ (1 | site) when site_effect: random), {mm['estimation']}; arm "
                          "difference (A - B) per timepoint and in change from the first "
                          "timepoint (interaction contrast)",
            "rci": "Jacobson & Truax (1991): change / (sqrt(2) SD_from sqrt(1 - alpha_from)), "
                   "|RCI| > 1.96 is reliable; direction from the registry's higher_is_better",
            "p": "two-sided",
        },
        "mixed_models": {
            "engine": "peerstudy.stats.mixed (one engine for the analysis and the power "
                      "simulation); equals lme4/lmerTest",
            "estimation": f"{mm['estimation']} "
                          f"({'restricted ' if mm['estimation'] == 'REML' else ''}"
                          "maximum likelihood; variance ratios profiled, global search over a "
                          "grid then Newton steps; a variance at 0 is reported as a singular "
                          "fit)",
            "standard_errors": "model-based: sigma^2 (X'V^-1 X)^-1 at the estimates, as lme4 "
                               "vcov(), SAS PROC MIXED and SPSS MIXED",
            "df": f"{mm['df']}: {MIXED_DF[mm['df']]}",
            "why_default": "REML with Satterthwaite t tests is what SPSS MIXED (the original "
                           "study's software) and lmerTest report; in small samples Wald z "
                           "tests, which ignore the uncertainty of the variance estimates, are "
                           "too liberal",
            "rank_deficient_design": "columns dropped as R's qr() drops them (as lme4)",
        },
        "intervals": {
            "level": level,
            "cohen_dz": "noncentral t inversion of the paired t (as effectsize::cohens_d)",
            "cohen_dav": "Algina & Keselman (2003, eqs. 7-9) approximate noncentral t: the d_z "
                         "bounds x s_D / s_av",
            "hedges_gav": "the d_av bounds x (1 - 3/(4(n-1) - 1))",
            "rank_biserial": "Fisher z with SE sqrt((2n^3 + 3n^2 + n)/6)/(n(n+1)/2) paired, "
                             "sqrt((n_A + n_B + 1)/(3 n_A n_B)) independent "
                             "(as effectsize::rank_biserial)",
            "partial_eta_sq": "noncentral F inversion with the uncorrected df, lambda/(lambda + "
                              "df_error) (as effectsize::F_to_eta2; Steiger 2004); the same "
                              "interval on the GG and HF rows",
            "generalized_eta_sq": "noncentral F inversion of the F implied by the estimate, "
                                  "uncorrected df (as effectsize::eta_squared(generalized = "
                                  "TRUE)); an approximation",
            "kendall_w": "noncentral chi-square inversion of Friedman's chi-square on k - 1 df, "
                         "lambda/(n(k - 1)) capped at 1 (effectsize's ncp method for "
                         "chi-square effect sizes; effectsize::kendalls_w itself uses a "
                         "bootstrap)",
            "cramers_v": "noncentral chi-square inversion, sqrt(lambda/(n(min(r, c) - 1))) "
                         "capped at 1 (as effectsize::cramers_v)",
            "odds_ratio": "exact conditional interval from the noncentral hypergeometric "
                          "distribution (as R fisher.test)",
            "mixed_model": "estimate +- t(df) x SE with Satterthwaite df, or +- z x SE (see "
                           "mixed_models.df)",
            "alpha": "Feldt (1965) F-based (see reliability.alpha_ci)",
            "bootstrap": "none used",
        },
    }


def trial_conventions(analysis: dict) -> dict | None:
    """How a randomised trial's analysis (analysis.trial) is done, in words, for the methods."""
    spec = analysis.get("trial")
    if not spec:
        return None
    conv = conventions(analysis)
    mm = conv["conventions"]["mixed_model"]
    least = conv["conventions"]["trial"]["random_site_min_sites"]
    a, b = spec["arms"]
    mi = spec.get("sensitivity", {}).get("multiple_imputation")
    out = {
        "population": "modified intention to treat: every randomised participant with a "
                      "baseline and at least one follow-up score, in the arm they were "
                      "allocated to, with every follow-up score they gave (missing at random); "
                      "the multiple-imputation analysis includes every randomised participant",
        "model": f"score ~ baseline + arm * time (+ site) + (1 | participant) (+ (1 | site)) on "
                 f"the follow-up assessments {', '.join(spec['follow_up'])}, adjusted for the "
                 f"baseline ({spec['baseline']}) score, {mm['estimation']}; {b} and the first "
                 "follow-up are the reference levels",
        "site_effect": (f"{spec.get('site_effect', 'auto')}: site is a random intercept when "
                        f"the trial has at least {least} sites (random_site_min_sites) and a "
                        "fixed effect below, where a site variance cannot be estimated "
                        "reliably" if spec.get("site_effect", "auto") == "auto" else
                        f"declared {spec['site_effect']}"),
        "random_site_min_sites": least,
        "treatment_effect": f"{a} minus {b} at each follow-up (the model's arm contrast); the "
                            f"primary endpoint is {spec['primary_endpoint']}",
        "interaction": f"arm x time: the difference between the arms at a later follow-up "
                       f"minus the one at {spec['follow_up'][0]}",
        "standardised_effect": "smd_baseline_sd: the adjusted difference and its CI divided by "
                               "the SD (n - 1) of the outcome at baseline, both arms pooled; the "
                               "SD is treated as known (its uncertainty is not in the CI)",
        "tests": f"{MIXED_DF[mm['df']]}",
        "families": {"primary": f"{spec['families']['primary']}: the primary outcome at the "
                                "primary endpoint (one test)",
                     "secondary": f"{spec['families']['secondary']}: the secondary outcomes at "
                                  "the primary endpoint",
                     "supportive": f"{spec['families']['supportive']}: every outcome at the "
                                   "other follow-ups and the arm x time interactions"},
        "complete_cases": "sensitivity: the same model on the participants with every "
                          "assessment of the outcome",
    }
    if mi:
        out["multiple_imputation"] = {
            "assumption": "missing at random given arm, site and the outcome's other "
                          "assessments",
            "method": "chained equations with predictive mean matching (5 donors, type-1 "
                      "matching, Bayesian linear-regression draws), as R mice(method = 'pmm'); "
                      "each outcome imputed separately within each arm, from its baseline and "
                      "follow-up scores and the site (dummy-coded); every randomised "
                      "participant included",
            "imputations": mi["imputations"], "iterations": mi.get("iterations", 10),
            "seed": mi["seed"], "chains": "one chain per imputation, seeded from (seed, "
                                          "outcome, arm, imputation)",
            "outcomes": mi.get("outcomes", "all"),
            "pooling": "Rubin's rules; Barnard and Rubin's (1999) df with the mean "
                       "Satterthwaite df of the completed-data fits as the complete-data df "
                       "(as mice::pool.scalar(Q, U, n = df + 1, k = 1))",
        }
    out["variance_components"] = ("each outcome's random-intercept variances and residual "
                                  "variance (REML), with intraclass correlations: site, the "
                                  "site variance over the total; participant, the participant "
                                  "and site variances over the total")
    if spec.get("by_site"):
        out["by_site"] = ("exploratory: the arm difference at the primary endpoint at each "
                          "site, from the primary model with site and arm x site as fixed "
                          "effects (participant random); heterogeneity by the likelihood-ratio "
                          "test of arm x site between ML fits; family "
                          f"{spec['by_site']['family']}")
    if spec.get("fidelity"):
        fid = spec["fidelity"]
        out["fidelity"] = (f"exploratory: in the {a} arm, the primary outcome at "
                           f"{spec['primary_endpoint']} on the {fid['instrument']} {fid['scale']} "
                           f"score of the participant's peer worker ({fid['timepoint']}), "
                           "adjusted for baseline, random intercept per peer worker, site as in "
                           "the primary model; not adjusted for multiplicity")
    return out


def all_conventions(analysis: dict, reliability: dict, validation: dict, missing: dict,
                    ingestion: dict | None = None, qualitative: dict | None = None,
                    questionnaires: bool = True) -> dict:
    """conventions.json: the statistical conventions plus the data-handling ones, and the
    qualitative ones when the study has coding exports (only those without questionnaires).

    ``ingestion`` (``peerstudy.exports.ingestion_conventions``) states the
    attendance rule, how declared missing values were honoured and which
    instrument forms were pooled or rescaled.
    """
    if not questionnaires:
        return {"qualitative": qualitative_conventions(qualitative or {}, analysis)}
    out = conventions(analysis)
    if analysis.get("trial"):
        out["trial"] = trial_conventions(analysis)
    if qualitative is not None:
        out["qualitative"] = qualitative_conventions(qualitative, analysis)
    out["reliability"] = {
        "alpha": "Cronbach's alpha on complete cases of the scale's keyed items",
        "alpha_ci": f"Feldt (1965) F-based, level {reliability['ci_level']} (as psych::alpha.ci)",
        "omega": "omega total from the global optimum of a one-factor ML fit on the item "
                 "correlations (factanal's criterion; deterministic starts: factanal's default "
                 "and each 'item j is the factor' configuration); not estimated, with the "
                 "reason, when n <= k or in a Heywood case (a uniqueness at 0.005)",
    }
    out["missing_data"] = {
        "missing_codes": {str(k): v for k, v in missing.items()},
        "validation_policies": validation,
        "scale_scores": "prorated (mean of answered items x k) when at least the registry's "
                        "min_answered share is answered; otherwise missing",
        "paired_tests": "complete pairs for each contrast",
        "rm_anova_friedman": "complete cases over all timepoints of the comparison",
        "mixed_model": "all available observations",
    }
    if ingestion:
        out["ingestion"] = ingestion
    return out


def qualitative_conventions(qual: dict, analysis: dict) -> dict:
    """How code tables, themes, intercoder agreement and the joint display are computed."""
    out = {
        "code_counts": "one quotation (Atlas.ti) or coded segment (MAXQDA) per code applied; "
                       "share_in_group = the code's quotations / its code group's",
        "code_labels": "as the export names them (Atlas.ti code names; the last level of "
                       "MAXQDA's Group\\Code path, whose first level is the code group)",
    }
    if qual.get("themes"):
        out["themes"] = {
            "file": qual["themes"],
            "quotations": "distinct quotations carrying any of the theme's codes",
            "exemplars": "the quotation ids the themes file declares, never chosen by the "
                         "program",
        }
    if qual.get("agreement"):
        agr = qual["agreement"]
        out["agreement"] = {
            "coders": [c["id"] for c in agr["coders"]],
            "levels": agr.get("levels", ["document", "segment"]),
            "documents": agr.get("documents", "every declared document"),
            "document_level": "unit = document x code; a coder's value is 1 when the coder "
                              "applied the code anywhere in the document",
            "segment_level": "unit = location x code; a location is a set of coded passages "
                             "(either coder, any code) linked by overlaps of at least "
                             f"{agr.get('min_overlap', 0.9)} of the "
                             + ("span both passages cover" if agr.get("overlap_of", "union")
                                == "union" else "shorter passage")
                             + "; positions as exported (paragraphs of text documents), "
                             "inclusive",
            "min_overlap": agr.get("min_overlap", 0.9),
            "overlap_of": agr.get("overlap_of", "union"),
            "codes": "every code either coder applied in the compared documents",
            "overall": "code 'all': every unit x code pooled",
            "percent_agreement": "100 x share of units with the same value from both coders",
            "kappa": "Cohen (1960), each coder's own marginals "
                     "(statsmodels.stats.inter_rater.cohens_kappa)",
            "krippendorff_alpha": "nominal, pooled marginals (krippendorff.alpha)",
            "agreement_when_coded": "both / units either coder coded (ignores agreement on "
                                    "absence)",
            "undefined": "kappa and alpha are left empty, with a note, when both coders give "
                         "every unit the same value",
        }
    if qual.get("joint_display"):
        method = analysis.get("multiplicity", {}).get(
            "method", _defaults("analysis", "multiplicity", "method"))
        out["joint_display"] = {
            "test": qual["joint_display"]["test"],
            "p": "p_adjusted" if method != "none" else "p",
            "multiplicity": method,
            "alpha": analysis.get("alpha", _defaults("analysis", "alpha")),
            "direction": "favourable when the change (later minus earlier) goes the way the "
                         "registry's higher_is_better says",
            "checks": "convergence on a change needs a significant change in the same "
                      "direction; convergence on no change, a non-significant result; "
                      "divergence is flagged when the result converges; expansion when the "
                      "result is a significant change against the qualitative direction; "
                      "silence when the declared codes carry quotations. A flagged "
                      "declaration fails the build unless it has a justification.",
            "undeclared": "left out of the display, listed in "
                          "qualitative/joint_display_undeclared.csv",
        }
    return out


def family_method(conv: dict, family) -> str:
    """The multiplicity method of one family: its own (multiplicity.families) or the study's."""
    mult = conv["multiplicity"]
    return mult.get("by_family", {}).get(family, mult["method"])


def trial_families(analysis: dict) -> set[str]:
    """The multiplicity families the trial analysis (analysis.trial) writes rows to."""
    spec = analysis.get("trial")
    if not spec:
        return set()
    out = set(spec["families"].values())
    if spec.get("fidelity"):
        out.add(spec["fidelity"]["family"])
    if spec.get("by_site"):
        out.add(spec["by_site"]["family"])
    return out


def _all_comparisons(analysis: dict) -> list[dict]:
    comps = [*analysis.get("within", []), *analysis.get("between", []),
             *analysis.get("categorical", []), *analysis.get("arm_models", [])]
    if analysis.get("attrition"):
        comps.append(analysis["attrition"])
    return comps
