"""The statistical conventions in force: the config's, with defaults filled in.

Kept free of numpy and pandas because the Snakefile calls it on every run,
including no-op runs.
"""

from __future__ import annotations

DEFAULT_CONVENTIONS = {
    "wilcoxon": {"method": "asymptotic", "zero_method": "wilcox", "correction": False},
    "mann_whitney": {"method": "asymptotic", "correction": False},
    "chi_square": {"correction": False},
    "fisher_for_2x2": True,
    "effect_sizes": ["cohen_dz", "cohen_dav", "hedges_gav"],
    "ci_level": 0.95,
    "sphericity": "gg",
    "quantiles": "weibull",
    "missing": "complete_pairs",
}


def conventions(analysis: dict) -> dict:
    """The conventions in force: the config's, with defaults filled in and explained."""
    conv = {k: (dict(v) if isinstance(v, dict) else v) for k, v in DEFAULT_CONVENTIONS.items()}
    for key, value in analysis.get("conventions", {}).items():
        conv[key] = {**conv[key], **value} if isinstance(value, dict) else value
    return {
        "alpha": analysis.get("alpha", 0.05),
        "conventions": conv,
        "multiplicity": {"method": analysis.get("multiplicity", {}).get("method", "holm"),
                         "families": sorted({c["family"] for c in _all_comparisons(analysis)}),
                         "scope": "within each family, separately per test"},
        "definitions": {
            "signed_effects": "later minus earlier; level A minus level B",
            "cohen_dz": "mean difference / SD of differences; CI inverts the noncentral t",
            "cohen_dav": "mean difference / mean of the two SDs (Lakens 2013); "
                         "CI = dz CI x s_D/s_av",
            "hedges_gav": "d_av x (1 - 3/(4(n-1) - 1))",
            "rank_biserial": "(T+ - T-)/(T+ + T-) paired; 2U/(n_A n_B) - 1 independent; "
                             "CI by Fisher z (as R effectsize)",
            "partial_eta_sq": "SS_time / (SS_time + SS_error) (SPSS)",
            "generalized_eta_sq": "SS_time / (SS_time + SS_subjects + SS_error) (Bakeman 2005)",
            "kendall_w": "Friedman chi2 / (n (k - 1))",
            "cramers_v": "sqrt(chi2 / (n (min(r, c) - 1)))",
            "rm_anova": "complete cases only; Mauchly's test; GG and HF (original Huynh-Feldt, "
                        "as SPSS; R's car uses Lecoutre's variant) corrected rows",
            "mixed_model": "score ~ timepoint + (1 | participant), REML (statsmodels MixedLM), "
                           "all available data; Wald z CIs for later-minus-earlier contrasts",
            "arm_models": "score ~ arm * timepoint (+ site as a fixed effect) + (1 | participant), "
                          "REML; arm difference (A - B) per timepoint and in change from the "
                          "first timepoint (interaction contrast); Wald z CIs",
            "rci": "Jacobson & Truax (1991): change / (sqrt(2) SD_from sqrt(1 - alpha_from)), "
                   "|RCI| > 1.96 is reliable; direction from the registry's higher_is_better",
            "p": "two-sided",
        },
    }


def all_conventions(analysis: dict, reliability: dict, validation: dict, missing: dict,
                    ingestion: dict | None = None) -> dict:
    """conventions.json: the statistical conventions plus the data-handling ones.

    ``ingestion`` (``peerstudy.exports.ingestion_conventions``) states the
    attendance rule, how declared missing values were honoured and which
    instrument forms were pooled or rescaled.
    """
    out = conventions(analysis)
    out["reliability"] = {
        "alpha": "Cronbach's alpha on complete cases of the scale's keyed items",
        "alpha_ci": f"Feldt (1965) F-based, level {reliability['ci_level']}",
        "omega": "omega total from a one-factor ML fit on the item correlations "
                 f"(statsmodels), starting values seeded with {reliability['seed']}",
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


def _all_comparisons(analysis: dict) -> list[dict]:
    comps = [*analysis.get("within", []), *analysis.get("between", []),
             *analysis.get("categorical", []), *analysis.get("arm_models", [])]
    if analysis.get("attrition"):
        comps.append(analysis["attrition"])
    return comps
