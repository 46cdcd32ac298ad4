"""APA-style number formatting and the words derived from numbers.

Every number that reaches the manuscript is formatted here, and every
"significant", "rose", "favourable" is derived here from the value, the
alpha level and the scale's direction in the registry — never typed.
"""

from __future__ import annotations

import math


def num(x, decimals: int = 2) -> str:
    """Fixed decimals, minus sign as '−' is avoided for copy-paste: plain '-'."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "NA"
    text = f"{x:.{decimals}f}"
    return "0" if decimals == 0 and text == "-0" else text.replace("-0.00", "0.00")


def no_zero(x, decimals: int = 2) -> str:
    """Statistics bounded by 1 (p, r, alpha) without the leading zero (APA)."""
    text = num(x, decimals)
    return text.replace("0.", ".", 1) if text.startswith(("0.", "-0.")) else text


def p_value(p: float) -> str:
    """'p = .042', 'p < .001', 'p > .999'."""
    if p is None or math.isnan(p):
        return "p not estimable"
    if p < 0.001:
        return "p < .001"
    if p > 0.999:
        return "p > .999"
    return f"p = {no_zero(p, 3)}"


def bare_p(p: float) -> str:
    """p for a table column headed 'p': '.042', '< .001'."""
    text = p_value(p)
    return text[4:] if text.startswith("p = ") else text.replace("p ", "", 1)


def ci(low, high, decimals: int = 2, bounded: bool = False) -> str:
    if any(x is None or (isinstance(x, float) and math.isnan(x)) for x in (low, high)):
        return "(CI not estimable)"
    f = no_zero if bounded else num
    return f"[{f(low, decimals)}, {f(high, decimals)}]"


def significance(p: float, alpha: float) -> str:
    if p is None or math.isnan(p):
        return "not estimable"
    return "statistically significant" if p < alpha else "not statistically significant"


def movement(change: float, decimals: int = 2) -> str:
    if round(change, decimals) == 0:
        return "did not change"
    return "rose" if change > 0 else "fell"


def favourability(change: float, higher_is_better, decimals: int = 2) -> str:
    """Whether a change points the way the scale calls better."""
    if round(change, decimals) == 0 or higher_is_better is None:
        return "no change in either direction" if round(change, decimals) == 0 else \
            "a direction the scale does not rank"
    return "the favourable direction" if (change > 0) == higher_is_better else \
        "the unfavourable direction"


def percent(part: int, whole: int, decimals: int = 1) -> str:
    return f"{100 * part / whole:.{decimals}f}%"


def suppressed(n: int, threshold: int | None) -> str:
    """Small-cell suppression at render time: '<5' instead of 1-4 (0 stays 0)."""
    if threshold and 0 < n < threshold:
        return f"<{threshold}"
    return str(n)
