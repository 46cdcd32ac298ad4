"""APA 7 number style (peerstudy.report.format), edge cases first.

Rules from the APA Publication Manual, 7th ed. (2020), sections 6.36 (no leading
zero for values that cannot exceed 1), 6.44 (italic statistical symbols) and 6.43
(p to two or three decimals, "p < .001"); the minus sign is U+2212 (section 6.44
lists it among the symbols to type as such).
"""

from __future__ import annotations

import math

import pytest

from peerstudy.report import format as fmt

M = "\u2212"


@pytest.mark.parametrize("value, decimals, text", [
    (2.345, 2, "2.35"), (-2.345, 2, f"{M}2.35"), (-0.001, 2, "0.00"), (0.0, 0, "0"),
    (-0.4, 0, "0"), (math.nan, 2, "—"), (None, 2, "—"), (1234.5, 1, "1,234.5"),
    (56.25, 1, "56.3"), (43.75, 1, "43.8"), (-1234.567, 2, f"{M}1,234.57"),
])
def test_numbers_use_a_true_minus_and_never_print_negative_zero(value, decimals, text):
    # also: half rounds up as written (56.25 -> 56.3; Python's format gives 56.2) and
    # thousands take a comma (APA 6.38)
    assert fmt.num(value, decimals) == text


@pytest.mark.parametrize("value, text", [
    (0.42, ".42"), (-0.581, f"{M}.58"), (1.0, "1.00"), (-1.0, f"{M}1.00"), (0.004, ".00"),
])
def test_bounded_values_drop_the_leading_zero(value, text):
    assert fmt.bounded(value) == text


@pytest.mark.parametrize("p, text", [
    (0.0004, "< .001"), (0.001, ".001"), (0.0172, ".017"), (0.9995, "> .999"),
    (0.04972, ".0497"),  # below alpha: rounding to ".050" would contradict "significant"
    (0.049962, ".04996"),  # four decimals (".0500") would still print alpha itself
    (0.0499996, "< .05"),  # six decimals still print alpha: said as an inequality
    (0.0503, ".050"), (math.nan, "—"),
])
def test_p_values(p, text):
    assert fmt.p_bare(p, alpha=0.05) == text


def test_p_expressions_are_italic_and_can_name_their_correction():
    assert fmt.p_expr(0.0172) == "*p* = .017"
    assert fmt.p_expr(0.0002) == "*p* < .001"
    assert fmt.p_expr(0.034, "Holm") == "*p*~Holm~ = .034"


@pytest.mark.parametrize("df, text", [(18.0, "18"), (15.3741, "15.37"), (2, "2"),
                                      (math.nan, "—")])
def test_degrees_of_freedom_are_integers_unless_corrected(df, text):
    assert fmt.df(df) == text


def test_composite_strings_follow_apa():
    assert fmt.apa_wilcoxon(5, -2.3868, 0.017, -1.0, -1.0, -0.61, "asymptotic") == (
        f"*V* = 5, *z* = {M}2.39, *p* = .017, *r* = {M}1.00, 95% CI [{M}1.00,\u00a0{M}.61]")
    assert fmt.apa_wilcoxon(7.5, math.nan, 0.031, 0.5, 0.1, 0.8, "exact") == (
        "*V* = 7.5, *p* = .031 (exact), *r* = .50, 95% CI [.10,\u00a0.80]")
    assert fmt.apa_t(2.31, 9, 0.046, "*d*~z~", 0.73, 0.01, 1.42) == (
        "*t*(9) = 2.31, *p* = .046, *d*~z~ = 0.73, 95% CI [0.01,\u00a01.42]")
    assert fmt.apa_f(2.1, 1.5372, 15.372, 0.16, 0.052, epsilon=0.7686) == (
        "*F*(1.54, 15.37) = 2.10, *p* = .160, ε = .77, η^2^~G~ = .05")
    assert fmt.apa_chi2(0.856, 2, 0.652, 162, "*V*", 0.0727) == (
        "χ^2^(2, *N* = 162) = 0.86, *p* = .652, *V* = .07")
    assert fmt.apa_estimate(-2.1, -4.01, -0.19, "t", -2.25, 28.41, 0.032) == (
        f"*b* = {M}2.10, 95% CI [{M}4.01,\u00a0{M}0.19], *t*(28.41) = {M}2.25, *p* = .032")


def test_intervals_without_bounds_say_so():
    assert fmt.ci(math.nan, 0.3) == "95% CI not estimable"
    assert fmt.ci(0.1, 0.3, is_bounded=True, level=0.9) == "90% CI [.10,\u00a0.30]"  # no break


@pytest.mark.parametrize("before, after, better, direction, favour", [
    (80.62, 80.36, True, "fell", "worsened"),      # SSQ: higher = less self-stigma
    (96.43, 97.54, True, "rose", "improved"),
    (26.47, 26.53, False, "rose", "worsened"),     # CAMI social restrictiveness
    (24.304, 24.296, True, "did not change", "did not change"),  # both print 24.30
    (1.0, 2.0, None, "rose", "changed"),
])
def test_direction_words_follow_the_numbers_as_printed(before, after, better, direction,
                                                       favour):
    assert fmt.direction(before, after) == direction
    assert fmt.favourability(before, after, better) == favour


def test_significance_words_and_small_cells():
    assert fmt.significance(0.049, 0.05) == "statistically significant"
    assert fmt.significance(0.05, 0.05) == "not statistically significant"
    assert [fmt.suppressed(n, 5) for n in (0, 1, 4, 5)] == ["0", "<5", "<5", "5"]


def test_decimals_follow_the_scale_and_counts_read_as_words_below_ten():
    # an item-mean scale (ES, 1-4): three decimals, so that a limit near 0 keeps its sign
    assert fmt.decimals_for_range(1, 4) == 3 and fmt.decimals_for_range(22, 88) == 2
    assert fmt.decimals_for_range(0, 10) == 2
    assert fmt.apa_estimate(0.042, -0.0021, 0.086, "t", 1.9, 990.5, 0.061, symbol="Δ",
                            decimals=3) == (
        f"Δ = 0.042, 95% CI [{M}0.002,\u00a00.086], *t*(990.50) = 1.90, *p* = .061")
    assert fmt.num(-0.0021, 2) == "0.00"          # what two decimals would have printed
    # APA 6.32: words below ten, numerals from ten, thousands separated
    assert [fmt.count_words(n) for n in (0, 4, 9, 10, 1000)] == [
        "none", "four", "nine", "10", "1,000"]
    assert fmt.join_alternatives(["2", "4", "6"]) == "2, 4 or 6"


def test_a_count_out_of_its_total_in_words():
    from peerstudy.report.format import count_of_words

    assert count_of_words(4, 4) == "all four"     # "significant on all four of them"
    assert count_of_words(2, 4) == "two"
    assert count_of_words(0, 4) == "none"
    assert count_of_words(1, 1) == "one"          # "all one" is not English
    assert count_of_words(12, 12) == "all 12"


def test_a_negative_bound_rounding_to_zero_keeps_its_sign():
    from peerstudy.report.format import MINUS, ci, ci_bare

    # the interval includes zero; "[.00, .93]" would hide it (r of the SWLS T1-T2 test)
    assert ci_bare(-0.0018, 0.93, is_bounded=True) == f"[{MINUS}.00,\u00a0.93]"
    assert ci(-0.0018, 1.5) == f"95% CI [{MINUS}0.00,\u00a01.50]"
    assert ci_bare(0.0018, 0.93, is_bounded=True) == "[.00,\u00a0.93]"
    assert ci_bare(-1e-12, 0.5, is_bounded=True) == "[.00,\u00a0.50]"   # noise, not a sign
    assert ci_bare(-0.25, 0.5) == f"[{MINUS}0.25,\u00a00.50]"
