"""APA 7 number style, in one place.

Every number that reaches a manuscript, a table or a value key is formatted
here: fixed decimals; the true minus sign (U+2212); no leading zero for
quantities that cannot exceed 1 (p, r, alpha, eta squared, W, V, kappa);
integer degrees of freedom printed as integers and corrected ones to two
decimals; "p < .001"; italic statistical symbols (Markdown ``*p*``); and the
composite strings that papaja's ``apa_print()`` calls ``full_result``. Also
the few words that follow from numbers (rose/fell, significant), always
computed from the same rounded numbers a reader sees beside them.
"""

from __future__ import annotations

import math

MINUS = "\u2212"
NA = "—"


def missing(x) -> bool:
    """None, NaN and pandas' NA count as missing."""
    if x is None:
        return True
    try:
        return math.isnan(float(x))
    except (TypeError, ValueError):
        return False


def _rounded(x, decimals: int) -> str:
    """Round half away from zero on the number as written (56.25 -> "56.3"), as a reader
    rounds by hand; Python's format() rounds the binary value half to even ("56.2")."""
    from decimal import ROUND_HALF_UP, Decimal

    return str(Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-decimals),
                                                rounding=ROUND_HALF_UP))


def num(x, decimals: int = 2) -> str:
    """Fixed decimals with a true minus sign and thousands separated by commas (APA 6.38);
    "−0.00" is printed "0.00"."""
    if missing(x):
        return NA
    text = _rounded(x, decimals)
    negative = text.startswith("-")
    digits = text.lstrip("-")
    whole, _, frac = digits.partition(".")
    digits = f"{int(whole):,}" + (f".{frac}" if frac else "")
    if negative and float(text) != 0:
        return MINUS + digits
    return digits


def bounded(x, decimals: int = 2) -> str:
    """A quantity bounded by 1 without its leading zero: ".42", "−.58", "1.00"."""
    text = num(x, decimals)
    if text.startswith("0."):
        return text[1:]
    if text.startswith(MINUS + "0."):
        return MINUS + text[2:]
    return text


def integer(x) -> str:
    """A count: "162", "43,520"."""
    return NA if missing(x) else f"{int(round(float(x))):,d}"


def df(x) -> str:
    """Degrees of freedom: "18" when whole, "15.37" when corrected."""
    if missing(x):
        return NA
    x = float(x)
    return integer(x) if abs(x - round(x)) < 1e-9 else num(x, 2)


def p_bare(p, alpha: float = 0.05) -> str:
    """p for a table cell: ".017", "< .001", "> .999". A p just below alpha that three
    decimals would round up to alpha (.0497 -> ".050") keeps as many more decimals as it
    takes to print below alpha (".0497", ".04996"; up to six, else "< .05"), so that a
    "significant" beside it never contradicts the printed value."""
    if missing(p):
        return NA
    if p < 0.001:
        return "< .001"
    if p > 0.999:
        return "> .999"
    text = bounded(p, 3)
    if p < alpha:
        for decimals in (4, 5, 6):
            if float("0" + text) < alpha:
                break
            text = bounded(p, decimals)
        if float("0" + text) >= alpha:
            return f"< {bounded(alpha, 2)}"
    return text


def p_expr(p, label: str = "", alpha: float = 0.05) -> str:
    """"*p* = .017", "*p* < .001"; ``label`` subscripts the symbol ("*p*~Holm~")."""
    symbol = "*p*" + (f"~{label}~" if label else "")
    if missing(p):
        return f"{symbol} not estimable"
    bare = p_bare(p, alpha)
    return f"{symbol} {bare}" if bare[0] in "<>" else f"{symbol} = {bare}"


def _bound(x, decimals: int, is_bounded: bool) -> str:
    """An interval's bound. A negative bound that rounds to zero keeps its sign ("−.00"):
    printed "0.00" or ".00" it would hide that the interval includes zero. Below a
    hundredth of the last printed digit the value is taken for numerical noise."""
    text = (bounded if is_bounded else num)(x, decimals)
    if text.lstrip("0.,") == "" and float(x) < -(10.0 ** -(decimals + 2)):
        return MINUS + text
    return text


def ci(low, high, decimals: int = 2, is_bounded: bool = False, level: float = 0.95) -> str:
    """"95% CI [−.85, −.06]" (the level printed as a whole percent)."""
    if missing(low) or missing(high):
        return f"{percent_level(level)} CI not estimable"
    return (f"{percent_level(level)} CI [{_bound(low, decimals, is_bounded)},\u00a0"
            f"{_bound(high, decimals, is_bounded)}]")


def ci_bare(low, high, decimals: int = 2, is_bounded: bool = False) -> str:
    """"[−.85, −.06]" for a table cell."""
    if missing(low) or missing(high):
        return NA
    # one unbreakable interval
    return f"[{_bound(low, decimals, is_bounded)},\u00a0{_bound(high, decimals, is_bounded)}]"


NUMBER_WORDS = ["none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def count_words(n) -> str:
    """A count as APA writes it in prose: words below ten ("none", "four"), numerals from
    10 up ("12", "1,250")."""
    n = int(round(float(n)))
    return NUMBER_WORDS[n] if 0 <= n < 10 else integer(n)


def count_of_words(n, total) -> str:
    """A count out of a total, as prose says it after "on ... of them": "all four" when
    every one of several counts, "none" when none does, else the count ("two", "12")."""
    n, total = int(round(float(n))), int(round(float(total)))
    if n == total and total > 1:
        return f"all {count_words(n)}"
    return count_words(n)


def percent_level(level: float) -> str:
    return f"{100 * level:g}%"


def percent(part, whole, decimals: int = 1) -> str:
    if missing(part) or missing(whole) or whole == 0:
        return NA
    return f"{num(100 * part / whole, decimals)}%"


def mean_sd(mean, sd) -> str:
    return f"*M* = {num(mean)}, *SD* = {num(sd)}"


def suppressed(n, threshold: int | None) -> str:
    """Small-cell suppression at render time: "<5" instead of 1-4 (0 stays 0)."""
    n = int(n)
    if threshold and 0 < n < threshold:
        return f"<{threshold}"
    return str(n)


# ---- words that follow from numbers ---------------------------------------

def direction(before, after, decimals: int = 2) -> str:
    """"rose", "fell" or "did not change", from the numbers as printed."""
    a, b = (float(num(x, decimals).replace(MINUS, "-").replace(",", "")) for x in (before, after))
    if a == b:
        return "did not change"
    return "rose" if b > a else "fell"


def comparison(first, second, decimals: int = 2) -> str:
    """"higher than", "lower than" or "the same as": the first mean against the second, as
    printed."""
    word = direction(second, first, decimals)
    return {"rose": "higher than", "fell": "lower than"}.get(word, "the same as")


def favourability(before, after, higher_is_better, decimals: int = 2) -> str:
    """"improved", "worsened", "did not change" — or "changed" on an unranked scale."""
    word = direction(before, after, decimals)
    if word == "did not change":
        return word
    if higher_is_better is None:
        return "changed"
    return "improved" if (word == "rose") == bool(higher_is_better) else "worsened"


def significance(p, alpha: float) -> str:
    if missing(p):
        return "not estimable"
    return "statistically significant" if p < alpha else "not statistically significant"


# ---- composite strings (papaja's full_result) ------------------------------

def _effect(symbol: str, est, low, high, is_bounded: bool, level: float) -> str:
    value = bounded(est) if is_bounded else num(est)
    interval = ci(low, high, is_bounded=is_bounded, level=level)
    return f"{symbol} = {value}, {interval}"


def apa_wilcoxon(v, z, p, r, r_low, r_high, method: str, p_label: str = "",
                 level: float = 0.95, alpha: float = 0.05) -> str:
    """"*V* = 5, *z* = −2.39, *p* = .017, *r* = −.58, 95% CI [−.85, −.06]"."""
    parts = [f"*V* = {num(v, 1) if float(v) % 1 else integer(v)}"]
    if not missing(z):
        parts.append(f"*z* = {num(z)}")
    parts.append(p_expr(p, p_label, alpha) + (" (exact)" if method == "exact" else ""))
    parts.append(_effect("*r*", r, r_low, r_high, True, level))
    return ", ".join(parts)


def apa_t(t, dof, p, effect_symbol: str, d, d_low, d_high, p_label: str = "",
          level: float = 0.95, alpha: float = 0.05) -> str:
    """"*t*(10) = 2.31, *p* = .043, *d*~z~ = 0.70, 95% CI [0.02, 1.35]"."""
    return (f"*t*({df(dof)}) = {num(t)}, {p_expr(p, p_label, alpha)}, "
            + _effect(effect_symbol, d, d_low, d_high, False, level))


def apa_f(f, df1, df2, p, eta, eta_low=None, eta_high=None, eta_symbol: str = "η^2^~G~",
          p_label: str = "", level: float = 0.95, epsilon=None, alpha: float = 0.05) -> str:
    """"*F*(1.54, 15.37) = 2.10, *p* = .160, η²~G~ = .05, 95% CI [.00, .21]"."""
    text = f"*F*({df(df1)}, {df(df2)}) = {num(f)}, {p_expr(p, p_label, alpha)}"
    if not missing(epsilon):
        text += f", ε = {bounded(epsilon)}"
    text += f", {eta_symbol} = {bounded(eta)}"
    if eta_low is not None and not missing(eta_low):
        text += f", {ci(eta_low, eta_high, is_bounded=True, level=level)}"
    return text


def apa_chi2(chi2, dof, p, n=None, effect_symbol: str = "", effect=None,
             p_label: str = "", alpha: float = 0.05) -> str:
    """"χ^2^(2, *N* = 162) = 0.86, *p* = .652, *V* = .07"."""
    inside = df(dof) + (f", *N* = {integer(n)}" if n is not None else "")
    text = f"χ^2^({inside}) = {num(chi2)}, {p_expr(p, p_label, alpha)}"
    if effect_symbol:
        text += f", {effect_symbol} = {bounded(effect)}"
    return text


def apa_u(u, z, p, r, r_low, r_high, method: str, p_label: str = "",
          level: float = 0.95, alpha: float = 0.05) -> str:
    """"*U* = 45.5, *z* = −1.23, *p* = .219, *r* = −.21, 95% CI [−.50, .13]"."""
    parts = [f"*U* = {num(u, 1) if float(u) % 1 else integer(u)}"]
    if not missing(z):
        parts.append(f"*z* = {num(z)}")
    parts.append(p_expr(p, p_label, alpha) + (" (exact)" if method == "exact" else ""))
    parts.append(_effect("*r*", r, r_low, r_high, True, level))
    return ", ".join(parts)


def apa_estimate(est, low, high, statistic_name: str, statistic, dof, p, p_label: str = "",
                 level: float = 0.95, symbol: str = "*b*", alpha: float = 0.05,
                 decimals: int = 2) -> str:
    """"*b* = −2.10, 95% CI [−4.01, −0.19], *t*(28.41) = −2.25, *p* = .032" (or *z*);
    ``decimals`` for the estimate and its interval (see :func:`decimals_for_range`)."""
    stat = f"*{statistic_name}*" + (f"({df(dof)})" if not missing(dof) else "")
    return (f"{symbol} = {num(est, decimals)}, {ci(low, high, decimals, level=level)}, "
            f"{stat} = {num(statistic)}, {p_expr(p, p_label, alpha)}")


def decimals_for_range(low, high) -> int:
    """Decimals for scores, means and differences on a scale running from ``low`` to
    ``high``: two on a scale that spans ten points or more (sum scores), three on a
    narrower one (item means on a 1-4 or 1-5 scale), where two decimals would round a
    difference of a few hundredths, and the sign of a confidence limit near 0, away."""
    return 2 if float(high) - float(low) >= 10 else 3


# ---- words from labels and estimates ---------------------------------------

def code_group_label(name) -> str:
    """A code group as printed: an export's all-capitals group name ('ACCOMPANY',
    'INNER SETTING') in title case, any other name as the export wrote it."""
    name = str(name)
    return name.title() if name.isupper() else name


def lower_first(text: str) -> str:
    """A label mid-sentence: 'Peer support arm' -> 'peer support arm', 'Baseline' ->
    'baseline'; a first word with other capitals (an acronym: 'HoNOS', 'SIS') is kept.
    Not for proper names (site labels)."""
    text = str(text)
    first = text.split(" ")[0]
    if not text or any(c.isupper() for c in first[1:]):
        return text
    return text[:1].lower() + text[1:]


def possessive(label: str) -> str:
    """'Peer support arm' -> 'Peer support arm's'; 'Peer support workers' -> 'Peer support
    workers''. A label ending in s is read as a plural (the config's labels name groups)."""
    label = str(label)
    return label + ("'" if label.endswith("s") else "'s")


def join_words(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


NEITHER_ARM = "did not clearly favour either arm"


def favours(estimate, low, high, higher_is_better, intervention: str, control: str,
            decimals: int = 2, significant: bool | None = None) -> str:
    """Which arm a difference (intervention minus control) favours on the scale's direction,
    judged by its confidence interval as printed, never by the point estimate alone:
    'favoured peer support' or 'favoured usual care' only when both printed limits lie on
    the same side of 0; otherwise 'did not clearly favour either arm' (an interval that
    spans or touches 0, an estimate without an interval, or a scale without a better
    direction). ``significant`` is the verdict on the family's adjusted p where one is
    declared: an interval clear of 0 whose adjusted p is not significant reads 'did not
    clearly favour either arm after correction for multiple comparisons', so that the word
    never contradicts the p printed beside it."""
    if missing(estimate) or missing(low) or missing(high) or higher_is_better is None:
        return NEITHER_ARM
    lo, hi = (float(num(x, decimals).replace(MINUS, "-").replace(",", "")) for x in (low, high))
    if lo <= 0 <= hi:
        return NEITHER_ARM
    if significant is False:
        return f"{NEITHER_ARM} after correction for multiple comparisons"
    better = intervention if (lo > 0) == bool(higher_is_better) else control
    return f"favoured {lower_first(better)}"


def join_alternatives(items: list[str]) -> str:
    """'a', 'a or b', 'a, b or c'."""
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]
