"""Linear mixed models with random intercepts: the one engine behind every
mixed-model row of tests.csv and behind the power simulation.

The model is lme4's: y = X beta + Z_1 b_1 [+ Z_2 b_2] + e with b_k ~ N(0,
sigma^2 theta_k^2 I) and e ~ N(0, sigma^2 I), one or two grouping factors
(nested, as participants within sites, or crossed). It is fitted by REML or ML
with beta and sigma profiled out, so only the relative variances are searched.
The algebra works on sums per level of the first factor grouped by that
level's number of observations, so a fit of 8,000 participants costs a few
milliseconds and thousands of simulated trials can be fitted at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["MixedFit", "fit_lmm", "fit_batch", "design", "contrast_vector", "DF_METHODS"]

DF_METHODS = ("satterthwaite", "asymptotic")
_RHO_MAX = 1 - 1e-10           # variance share searched up to this (theta about 1e5)
_ZERO_TOL = np.sqrt(np.finfo(float).eps / 7e-7)   # numDeriv's zero.tol


# --------------------------------------------------------------------------- data
@dataclass
class _Sums:
    """Sufficient statistics of a batch of R data sets sharing X and the factor codes.

    Arrays carry the batch on axis 0. ``m = p + 1`` columns: X then y.
    """
    p: int
    n: np.ndarray            # (R,) observations
    mtm: np.ndarray          # (R, m, m) [X y]'[X y]
    sizes: np.ndarray        # (T,) distinct observation counts of factor-1 levels
    count: np.ndarray        # (R, T) levels with that count
    ss: np.ndarray           # (R, T, m, m) sum of s_j s_j' over those levels (s_j = level sums)
    n2: np.ndarray           # (R, q2) observations per factor-2 level (q2 = 0: one factor)
    s2: np.ndarray           # (R, q2, m) factor-2 level sums
    ns: np.ndarray           # (R, T, q2, m) sum of N_j' s_j' (N_j = counts of level j by factor 2)
    nn: np.ndarray           # (R, T, q2, q2) sum of N_j' N_j

    @property
    def k(self) -> int:
        return 1 if self.n2.shape[1] == 0 else 2


def _indicator(codes: np.ndarray, levels: int):
    from scipy.sparse import csr_matrix

    n = len(codes)
    return csr_matrix((np.ones(n), (codes, np.arange(n))), shape=(levels, n))


def _sums(x: np.ndarray, y: np.ndarray, w: np.ndarray, codes1: np.ndarray,
          codes2: np.ndarray | None) -> _Sums:
    """Sufficient statistics; ``y`` and the 0/1 mask ``w`` are (R, n), ``x`` is (n, p)."""
    r, n = y.shape
    p = x.shape[1]
    m = p + 1
    big = np.concatenate([np.broadcast_to(x, (r, n, p)), y[:, :, None]], axis=2) * w[:, :, None]
    mtm = big.transpose(0, 2, 1) @ big
    q1 = int(codes1.max()) + 1
    z1 = _indicator(codes1, q1)
    s1 = (z1 @ big.transpose(1, 0, 2).reshape(n, r * m)).reshape(q1, r, m).transpose(1, 0, 2)
    n1 = np.asarray(z1 @ w.T).T                                        # (R, q1)
    sizes = np.unique(n1)
    onehot = (n1[:, :, None] == sizes[None, None, :]).astype(float)    # (R, q1, T)
    count = onehot.sum(axis=1)
    s1t = s1.transpose(0, 2, 1)
    ss = np.stack([(s1t * onehot[:, None, :, t]) @ s1 for t in range(len(sizes))], axis=1)
    if codes2 is None:
        q2 = 0
        n2, s2 = np.zeros((r, 0)), np.zeros((r, 0, m))
        ns, nn = np.zeros((r, len(sizes), 0, m)), np.zeros((r, len(sizes), 0, 0))
    else:
        q2 = int(codes2.max()) + 1
        z2 = _indicator(codes2, q2)
        s2 = (z2 @ big.transpose(1, 0, 2).reshape(n, r * m)).reshape(q2, r, m).transpose(1, 0, 2)
        n2 = np.asarray(z2 @ w.T).T
        wz2 = w[:, :, None] * np.eye(q2)[codes2][None]                # (R, n, q2)
        cnt = (z1 @ wz2.transpose(1, 0, 2).reshape(n, r * q2)).reshape(q1, r, q2)
        cnt = cnt.transpose(1, 0, 2)                                    # (R, q1, q2)
        cntt = cnt.transpose(0, 2, 1)
        ns = np.stack([(cntt * onehot[:, None, :, t]) @ s1 for t in range(len(sizes))], axis=1)
        nn = np.stack([(cntt * onehot[:, None, :, t]) @ cnt for t in range(len(sizes))], axis=1)
    return _Sums(p=p, n=w.sum(axis=1), mtm=mtm, sizes=sizes.astype(float), count=count, ss=ss,
                 n2=n2, s2=s2, ns=ns, nn=nn)


# ------------------------------------------------------------------- the algebra
def _solve_at(d: _Sums, gamma: np.ndarray) -> dict:
    """Everything at relative variances ``gamma`` (R, G, k) = theta^2: arrays (R, G, ...).

    With A = Lambda'Z'Z Lambda + I (lme4's L L'), V = I + Z Lambda Lambda' Z' and the
    block elimination of the factor-1 part (diagonal) from A, returns
    [X y]'V^-1[X y], log|A| (= log|V|) and the GLS solution.
    """
    p = d.p
    g1 = gamma[..., 0]                                                  # (R, G)
    dt = 1 + g1[..., None] * d.sizes                                     # (R, G, T)
    logdet = np.einsum("rt,rgt->rg", d.count, np.log(dt))
    wt = g1[..., None] / dt                                              # (R, G, T)
    q = np.einsum("rgt,rtab->rgab", wt, d.ss)
    if d.k == 2:
        g2 = gamma[..., 1]
        # S = I + g2 (diag(n2) - sum_t w_t NN_t), u = S2 - sum_t w_t NS_t; adds g2 u'S^-1 u
        u = d.s2[:, None] - np.einsum("rgt,rtka->rgka", wt, d.ns)
        q2 = d.n2.shape[1]
        diag_n2 = np.einsum("rk,kl->rkl", d.n2, np.eye(q2))[:, None]
        s = np.eye(q2) + g2[..., None, None] * (diag_n2 - np.einsum("rgt,rtkl->rgkl", wt, d.nn))
        chol = np.linalg.cholesky(s)
        logdet = logdet + 2 * np.log(np.diagonal(chol, axis1=-2, axis2=-1)).sum(-1)
        half = np.linalg.solve(chol, u)
        q = q + g2[..., None, None] * np.einsum("rgka,rgkb->rgab", half, half)
    mvm = d.mtm[:, None] - q
    xvx, xvy, yvy = mvm[..., :p, :p], mvm[..., :p, p], mvm[..., p, p]
    rx = np.linalg.cholesky(xvx)
    beta = np.linalg.solve(xvx, xvy[..., None])[..., 0]
    r2 = yvy - np.einsum("rga,rga->rg", xvy, beta)
    logdet_x = 2 * np.log(np.diagonal(rx, axis1=-2, axis2=-1)).sum(-1)
    return {"logdet": logdet, "xvx": xvx, "beta": beta, "r2": r2, "logdet_x": logdet_x}


def _profiled(d: _Sums, gamma: np.ndarray, reml: bool) -> np.ndarray:
    """lme4's profiled deviance (REML criterion or -2 log-likelihood), (R, G)."""
    s = _solve_at(d, gamma)
    n = d.n[:, None]
    if reml:
        nu = n - d.p
        return s["logdet"] + s["logdet_x"] + nu * (1 + np.log(2 * np.pi * s["r2"] / nu))
    return s["logdet"] + n * (1 + np.log(2 * np.pi * s["r2"] / n))


def _deviance_vp(d: _Sums, varpar: np.ndarray, reml: bool) -> np.ndarray:
    """The deviance at (theta_1, ..., sigma) without profiling, (R, G): lmerTest's devfun_vp."""
    theta, sigma2 = varpar[..., :-1], varpar[..., -1] ** 2
    s = _solve_at(d, theta**2)
    n = d.n[:, None]
    dev = s["logdet"] + s["r2"] / sigma2 + n * np.log(2 * np.pi * sigma2)
    if reml:
        dev = dev + s["logdet_x"] - d.p * np.log(2 * np.pi * sigma2)
    return dev


def _cov_beta_vp(d: _Sums, varpar: np.ndarray) -> np.ndarray:
    """sigma^2 (X'V^-1 X)^-1 at (theta, sigma), flattened: (R, G, p*p)."""
    s = _solve_at(d, varpar[..., :-1] ** 2)
    cov = varpar[..., -1, None, None] ** 2 * np.linalg.inv(s["xvx"])
    return cov.reshape(*cov.shape[:2], -1)


# ------------------------------------------------------------- the optimisation
def _to_gamma(rho):
    return rho / (1 - rho)


def _grid(k: int) -> np.ndarray:
    """Starting grid over the variance shares rho = gamma / (1 + gamma), (G, k)."""
    if k == 1:
        pts = np.r_[0.0, np.linspace(0.02, 0.98, 49), 0.99, 0.995, 0.999, 0.9999, 0.99999]
        return pts[:, None]
    pts = np.r_[0.0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 0.9999]
    a, b = np.meshgrid(pts, pts, indexing="ij")
    return np.column_stack([a.ravel(), b.ravel()])


def _optimise(d: _Sums, reml: bool, max_iter: int = 100) -> tuple[np.ndarray, np.ndarray]:
    """Global minimum of the profiled deviance over rho in [0, 1)^k, every data set at once.

    A grid over the variance shares picks the start (so a local minimum is not
    taken for the global one); projected Newton steps from finite differences
    of the deviance, with backtracking, then locate the minimum to about
    1e-10. A share that the data push below zero stays at 0 (a singular fit,
    as lme4 reports it). Returns ``(rho, converged)``.
    """
    k = d.k
    r = d.n.shape[0]

    def f(rho):  # (R, G, k) -> (R, G)
        return _profiled(d, _to_gamma(rho), reml)

    grid = _grid(k)
    values = f(np.broadcast_to(grid, (r, *grid.shape)))
    x = grid[np.argmin(values, axis=1)]                                # (R, k)
    fx = values.min(axis=1)
    eye = np.eye(k)
    alphas = 0.5 ** np.arange(0, 31)
    converged = np.zeros(r, bool)
    for _ in range(max_iter):
        h = 1e-4 * np.maximum(np.minimum(x, 1 - x), 1e-2)               # (R, k)
        pts = [x]
        for i in range(k):
            pts += [x + h[:, i, None] * eye[i], x - h[:, i, None] * eye[i]]
        if k == 2:
            for s1, s2 in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                pts.append(x + s1 * h[:, 0, None] * eye[0] + s2 * h[:, 1, None] * eye[1])
        fv = f(np.stack(pts, axis=1))
        f0 = fv[:, 0]
        grad = np.stack([(fv[:, 1 + 2 * i] - fv[:, 2 + 2 * i]) / (2 * h[:, i])
                         for i in range(k)], axis=1)
        hess = np.zeros((r, k, k))
        for i in range(k):
            hess[:, i, i] = (fv[:, 1 + 2 * i] - 2 * f0 + fv[:, 2 + 2 * i]) / h[:, i] ** 2
        if k == 2:
            off = (fv[:, 5] - fv[:, 6] - fv[:, 7] + fv[:, 8]) / (4 * h[:, 0] * h[:, 1])
            hess[:, 0, 1] = hess[:, 1, 0] = off
        # coordinates held at a bound: rho = 0 with the deviance rising into the interior
        held = ((x <= 0) & (grad >= 0)) | ((x >= _RHO_MAX) & (grad <= 0))
        g = np.where(held, 0.0, grad)
        hm = hess * (~held[:, :, None] & ~held[:, None, :]) + np.einsum(
            "ri,ij->rij", held.astype(float), eye)
        eig = np.linalg.eigvalsh(hm)
        newton = eig.min(axis=1) > 0
        step = np.where(newton[:, None],
                        -np.linalg.solve(np.where(newton[:, None, None], hm, eye),
                                         g[..., None])[..., 0],
                        -g / np.maximum(np.abs(np.diagonal(hess, axis1=1, axis2=2)), 1.0))
        step = np.where(held, 0.0, step)
        size = np.abs(step).max(axis=1)
        # long steps are shortened to 0.25 in rho before the line search
        step *= np.minimum(1.0, 0.25 / np.maximum(size, 1e-300))[:, None]
        trial = np.clip(x[:, None, :] + alphas[None, :, None] * step[:, None, :], 0.0, _RHO_MAX)
        ft = f(trial)
        better = ft <= fx[:, None]
        # very small Newton steps are taken whole: the deviance cannot resolve them
        tiny = newton & (size < 1e-7)
        better[:, 0] |= tiny
        ok = better.any(axis=1)
        first = np.argmax(better, axis=1)
        new = np.where(ok[:, None], trial[np.arange(r), first], x)
        moved = np.abs(new - x).max(axis=1)
        fx = np.where(ok, ft[np.arange(r), first], fx)
        x = new
        converged = (moved < 1e-12) | ~ok | (size < 1e-9)
        if converged.all():
            break
    return x, converged


# -------------------------------------------------------- numerical derivatives
def _hessian_richardson(fn, x: np.ndarray) -> np.ndarray:
    """numDeriv::hessian (genD, Richardson, d = 0.1, r = 4) for a batch: x (R, d) -> (R, d, d).

    The same steps and extrapolation as lmerTest's call, so the Satterthwaite
    df agree with lmerTest's beyond the accuracy of either.
    """
    r, dim = x.shape
    h0 = np.abs(0.1 * x) + 1e-4 * (np.abs(x) < _ZERO_TOL)
    eye = np.eye(dim)
    f0 = fn(x[:, None])[:, 0]
    hdiag = np.zeros((r, dim))
    hess = np.zeros((r, dim, dim))
    steps = h0[:, None, :] / 2.0 ** np.arange(4)[None, :, None]           # (R, 4, d)
    for i in range(dim):
        hi = steps[:, :, i]
        move = hi[..., None] * eye[i]
        pts = np.concatenate([x[:, None] + move, x[:, None] - move], axis=1)
        fv = fn(pts)
        f1, f2 = fv[:, :4], fv[:, 4:]
        hdiag[:, i] = _extrapolate((f1 - 2 * f0[:, None] + f2) / hi**2)
        hess[:, i, i] = hdiag[:, i]
    for i in range(dim):
        for j in range(i):
            hi, hj = steps[:, :, i], steps[:, :, j]
            move = hi[..., None] * eye[i] + hj[..., None] * eye[j]
            fv = fn(np.concatenate([x[:, None] + move, x[:, None] - move], axis=1))
            f1, f2 = fv[:, :4], fv[:, 4:]
            approx = (f1 - 2 * f0[:, None] + f2 - hdiag[:, i, None] * hi**2
                      - hdiag[:, j, None] * hj**2) / (2 * hi * hj)
            hess[:, i, j] = hess[:, j, i] = _extrapolate(approx)
    return hess


def _jacobian_richardson(fn, x: np.ndarray) -> np.ndarray:
    """numDeriv::jacobian (Richardson, d = 1e-4, r = 4): x (R, d) -> (R, m, d).

    ``fn`` maps points (R, G, d) to values (R, G, m)."""
    r, dim = x.shape
    h0 = np.abs(1e-4 * x) + 1e-4 * (np.abs(x) < _ZERO_TOL)
    eye = np.eye(dim)
    steps = h0[:, None, :] / 2.0 ** np.arange(4)[None, :, None]
    cols = []
    for i in range(dim):
        hi = steps[:, :, i]
        move = hi[..., None] * eye[i]
        pts = np.concatenate([x[:, None] + move, x[:, None] - move], axis=1)
        fv = fn(pts)                                                     # (R, 8, m)
        cols.append(_extrapolate((fv[:, :4] - fv[:, 4:]) / (2 * hi[..., None]), axis=1))
    return np.stack(cols, axis=-1)


def _extrapolate(a: np.ndarray, axis: int = -1) -> np.ndarray:
    """Richardson extrapolation over 4 halvings of the step (error series in h^2)."""
    a = np.moveaxis(a, axis, 0)
    for m in range(1, a.shape[0]):
        a = (a[1:] * 4**m - a[:-1]) / (4**m - 1)
    return a[0]


# ------------------------------------------------------------------ the results
@dataclass
class MixedFit:
    r"""A fitted random-intercept linear mixed model (see :func:`fit_lmm`).

    Attributes
    ----------
    names : list of str
        Fixed-effect names, in the order of ``beta`` (columns dropped for rank
        deficiency are not among them; see ``dropped``).
    beta : ndarray (p,)
        Fixed effects (GLS at the estimated variances).
    cov : ndarray (p, p)
        :math:`\hat\sigma^2 (X'\hat V^{-1}X)^{-1}`, lme4's ``vcov()``.
    sigma : float
        Residual SD (REML or ML estimate).
    theta : ndarray (k,)
        Random-intercept SDs relative to sigma (lme4's ``getME(fit, "theta")``).
    group_names : list of str
        The grouping factors, first the one with more levels.
    estimation : {'REML', 'ML'}
    deviance : float
        REML criterion (REML) or -2 log-likelihood (ML), as lme4's ``deviance``/``REMLcrit``.
    n_obs : int
    n_levels : dict
    singular : list of str
        Grouping factors whose variance was estimated at 0 (lme4's ``isSingular``).
    dropped : list of str
        Fixed effects dropped because the design was rank deficient (as lme4 drops them).
    notes : list of str
    """

    names: list[str]
    beta: np.ndarray
    cov: np.ndarray
    sigma: float
    theta: np.ndarray
    group_names: list[str]
    estimation: str
    deviance: float
    n_obs: int
    n_levels: dict
    singular: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    vcov_varpar: np.ndarray | None = None
    jacobian: np.ndarray | None = None      # (p, p, k + 1): d cov / d (theta, sigma)

    @property
    def variances(self) -> dict:
        """Random-intercept variances and the residual variance."""
        out = {g: float((t * self.sigma) ** 2) for g, t in zip(self.group_names, self.theta,
                                                                strict=True)}
        return {**out, "residual": float(self.sigma**2)}

    def contrast(self, weights: dict | np.ndarray, df: str = "satterthwaite",
                 level: float = 0.95) -> dict:
        r"""Test the linear contrast :math:`L'\beta = 0`.

        Parameters
        ----------
        weights : dict or array
            ``{fixed-effect name: weight}`` (names not in the model must have
            weight 0: a contrast on a dropped column is not estimable), or a
            vector over ``names``.
        df : {'satterthwaite', 'asymptotic'}
            'satterthwaite': t with Satterthwaite's df, as lmerTest's
            ``contest1D(fit, L, ddf = "Satterthwaite", confint = TRUE)`` and SPSS
            MIXED; 'asymptotic': Wald z, as ``summary()`` of an lme4 fit read
            with the normal distribution.
        level : float
            Confidence level of the interval.

        Returns
        -------
        dict with ``estimate``, ``se``, ``statistic`` (t or z), ``statistic_name``,
        ``df`` (NaN for z), ``p`` (two-sided), ``ci_low``, ``ci_high``.

        Notes
        -----
        :math:`SE = \sqrt{L'CL}` with :math:`C` the model-based covariance. The
        Satterthwaite df are :math:`2 (L'CL)^2 / (g' A g)`, with :math:`g_i =
        L' (\partial C / \partial \phi_i) L` over :math:`\phi = (\theta, \sigma)`
        and :math:`A = 2 H^{-1}` from the Hessian :math:`H` of the deviance
        (Moore-Penrose over eigenvalues above 1e-8, as lmerTest). The quantiles and
        tails come from ``scipy.special`` (``stdtrit``, ``stdtr``, ``ndtri``, ``ndtr``):
        the functions ``scipy.stats.t`` and ``norm`` evaluate, so the same numbers,
        without the distribution objects' argument checks on every contrast (a power
        simulation computes thousands).
        """
        from scipy.special import ndtr, ndtri, stdtr, stdtrit

        vec = self._vector(weights)
        nan = dict.fromkeys(["estimate", "se", "statistic", "df", "p", "ci_low", "ci_high"],
                            np.nan)
        name = "t" if df == "satterthwaite" else "z"
        if vec is None:
            return {**nan, "statistic_name": name}
        est = float(vec @ self.beta)
        var = float(vec @ self.cov @ vec)
        se = np.sqrt(var)
        stat = est / se if se > 0 else np.nan
        if df == "asymptotic":
            crit = ndtri(1 - (1 - level) / 2)
            return {"estimate": est, "se": se, "statistic": stat, "statistic_name": "z",
                    "df": np.nan, "p": float(2 * ndtr(-abs(stat))),
                    "ci_low": est - crit * se, "ci_high": est + crit * se}
        if df != "satterthwaite":
            raise ValueError(f"df must be one of {DF_METHODS}, got {df!r}")
        grad = np.einsum("i,ijk,j->k", vec, self.jacobian, vec)
        denom = float(grad @ self.vcov_varpar @ grad)
        ddf = 2 * var**2 / denom if denom > 0 else np.inf
        crit = stdtrit(ddf, 1 - (1 - level) / 2)
        return {"estimate": est, "se": se, "statistic": stat, "statistic_name": "t",
                "df": float(ddf), "p": float(2 * stdtr(ddf, -abs(stat))),
                "ci_low": est - crit * se, "ci_high": est + crit * se}

    def _vector(self, weights) -> np.ndarray | None:
        if not isinstance(weights, dict):
            return np.asarray(weights, float)
        unknown = set(weights) - set(self.names) - set(self.dropped)
        if unknown:
            raise KeyError(f"not a fixed effect of the model: {sorted(unknown)} "
                           f"(fixed effects: {self.names})")
        if any(weights.get(c, 0) != 0 for c in self.dropped):
            return None
        return np.array([float(weights.get(c, 0.0)) for c in self.names])


# ---------------------------------------------------------------- public API
def design(formula: str, data: pd.DataFrame) -> pd.DataFrame:
    """Fixed-effects design matrix of a right-hand-side formula (R's treatment coding).

    Categorical columns (pandas ``Categorical``) use their first category as the
    reference level, as R's ``contr.treatment`` does with ``factor(levels =)``;
    ``a * b`` expands to main effects and interaction as in R. Built by patsy.
    """
    import patsy

    return patsy.dmatrix(formula, data, return_type="dataframe", NA_action="raise")


def _keep_columns(x: np.ndarray, tol: float = 1e-7) -> list[int]:
    """Columns kept when the design is rank deficient: each column is kept unless it
    lies (to relative tolerance ``tol``) in the span of the columns kept before it,
    as R's ``qr()`` (LINPACK dqrdc2) and so lme4 decide which to drop."""
    kept: list[int] = []
    basis = np.zeros((x.shape[0], 0))
    for j in range(x.shape[1]):
        col = x[:, j]
        norm = np.linalg.norm(col)
        if norm == 0:
            continue
        resid = col - basis @ (basis.T @ col)
        resid = resid - basis @ (basis.T @ resid)
        if np.linalg.norm(resid) > tol * norm:
            kept.append(j)
            basis = np.column_stack([basis, resid / np.linalg.norm(resid)])
    return kept


def _codes(values: pd.Series) -> np.ndarray:
    return pd.factorize(values, sort=True)[0]


def fit_lmm(data: pd.DataFrame, dv: str, fixed: str | pd.DataFrame, groups: list[str],
            estimation: str = "REML") -> MixedFit:
    r"""Fit a linear mixed model with random intercepts for one or two grouping factors.

    Parameters
    ----------
    data : DataFrame
        Long data, one row per observation; rows with a missing value in ``dv``,
        a grouping factor or a fixed-effect variable must be removed first.
    dv : str
        The outcome column.
    fixed : str or DataFrame
        Right-hand side of the fixed part as a formula (``"timepoint"``,
        ``"baseline + arm * timepoint + site"``; categoricals coded as R
        codes factors) or a design matrix with named columns, one row per row
        of ``data``.
    groups : list of str
        One or two grouping columns, each with a random intercept
        (``["participant_id"]``, or ``["participant_id", "site"]`` for
        participants nested in sites; crossed factors work too).
    estimation : {'REML', 'ML'}

    Returns
    -------
    MixedFit
        Its ``contrast()`` gives Wald z or Satterthwaite t tests of any linear
        contrast of the fixed effects.

    Notes
    -----
    The model, :math:`y = X\beta + \sum_k Z_k b_k + e`, :math:`b_k \sim N(0,
    \sigma^2\theta_k^2 I)`, :math:`e \sim N(0, \sigma^2 I)`, and its deviance
    are lme4's (Bates et al. 2015, eqs. 34 and 41): with
    :math:`V = I + \sum_k \theta_k^2 Z_k Z_k'`,

    .. math::
        d_{REML}(\theta) = \log|V| + \log|X'V^{-1}X|
            + (n-p)\left(1 + \log\frac{2\pi r^2(\theta)}{n-p}\right)

    (ML: drop :math:`\log|X'V^{-1}X|` and use :math:`n`), where :math:`r^2`
    is the GLS residual sum of squares in the :math:`V^{-1}` metric. The
    fixed-effect covariance is the model-based
    :math:`\hat\sigma^2(X'\hat V^{-1}X)^{-1}`, as lme4 ``vcov()``, SAS PROC
    MIXED and SPSS MIXED report it (not the inverse observed information of
    all parameters jointly, which statsmodels' MixedLM reports).

    The minimum is found over the variance shares
    :math:`\rho_k = \theta_k^2/(1+\theta_k^2) \in [0, 1)` from a grid start
    with Newton steps (see ``_optimise``); a share at 0 is a singular fit,
    reported in ``notes`` as lme4's ``isSingular()`` would. A rank-deficient
    design loses the columns R's ``qr()`` would drop, as lme4 does. The
    Satterthwaite quantities use the Hessian of the deviance in
    :math:`(\theta, \sigma)` and the Jacobian of the covariance by the same
    Richardson extrapolation as lmerTest (numDeriv; Kuznetsova et al. 2017).

    Written here rather than taken from statsmodels because MixedLM reports
    the joint observed-information covariance, offers no Satterthwaite df and
    is too slow for the power simulation's thousands of fits.

    .. warning:: lme4 with its default tolerances stops its optimiser earlier
       (deviance change 1e-8 or so); the R syntax exported by the workflow
       tightens them so that both agree to 1e-6.

    References
    ----------
    .. [1] Bates D, Mächler M, Bolker B, Walker S (2015). Fitting linear
       mixed-effects models using lme4. J Stat Softw 67(1).
       doi:10.18637/jss.v067.i01
    .. [2] Kuznetsova A, Brockhoff PB, Christensen RHB (2017). lmerTest
       package: tests in linear mixed effects models. J Stat Softw 82(13).
       doi:10.18637/jss.v082.i13
    .. [3] Satterthwaite FE (1946). An approximate distribution of estimates
       of variance components. Biometrics Bulletin 2:110-114.

    Examples
    --------
    >>> fit = fit_lmm(long, "score", "timepoint", ["participant_id"])   # doctest: +SKIP
    >>> fit.contrast({"timepoint[T.T3]": 1, "timepoint[T.T2]": -1})       # doctest: +SKIP
    """
    if estimation not in ("REML", "ML"):
        raise ValueError(f"estimation must be 'REML' or 'ML', got {estimation!r}")
    if not 1 <= len(groups) <= 2:
        raise ValueError("one or two grouping factors are supported")
    xdf = design(fixed, data) if isinstance(fixed, str) else fixed
    x = xdf.to_numpy(float)
    y = data[dv].to_numpy(float)
    names = list(xdf.columns)
    levels = {g: int(data[g].nunique()) for g in groups}
    groups = sorted(groups, key=lambda g: -levels[g])
    problems = [g for g in groups if levels[g] >= len(y)]
    too_few = [g for g in groups if levels[g] < 2]
    if too_few or problems:
        why = (f"grouping factor(s) {', '.join(too_few)} have fewer than 2 levels" if too_few
               else f"the number of levels of {', '.join(problems)} is not below the number "
                    "of observations")
        raise ValueError(f"mixed model not estimable: {why} (as lme4 would refuse)")
    kept = _keep_columns(x)
    dropped = [names[j] for j in range(len(names)) if j not in kept]
    x = x[:, kept]
    names = [names[j] for j in kept]
    codes = [_codes(data[g]) for g in groups]
    d = _sums(x, y[None], np.ones((1, len(y))), codes[0], codes[1] if len(codes) > 1 else None)
    fits = _finish(d, estimation == "REML", names, groups, levels, with_df=True)
    fit = fits[0]
    fit.dropped = dropped
    if dropped:
        fit.notes.insert(0, f"fixed-effect design rank deficient: dropped {', '.join(dropped)}")
    return fit


def _finish(d: _Sums, reml: bool, names, groups, levels, with_df: bool) -> list[MixedFit]:
    rho, converged = _optimise(d, reml)
    gamma = _to_gamma(rho)
    sol = _solve_at(d, gamma[:, None])
    r2 = sol["r2"][:, 0]
    nu = d.n - d.p if reml else d.n
    sigma = np.sqrt(r2 / nu)
    cov = sigma[:, None, None] ** 2 * np.linalg.inv(sol["xvx"][:, 0])
    dev = _profiled(d, gamma[:, None], reml)[:, 0]
    theta = np.sqrt(gamma)
    varpar = np.column_stack([theta, sigma])
    vcov_varpar = jac = None
    if with_df:
        hess = _hessian_richardson(lambda v: _deviance_vp(d, v, reml), varpar)
        vcov_varpar = 2 * _pinv_positive(hess)
        p = d.p
        jac = _jacobian_richardson(lambda v: _cov_beta_vp(d, v), varpar)
        jac = jac.reshape(len(sigma), p, p, -1)
    out = []
    for i in range(len(sigma)):
        singular = [g for g, t in zip(groups, theta[i], strict=True) if t < 1e-4]
        notes = []
        if singular:
            notes.append("singular fit: variance of "
                         + " and ".join(f"(1 | {g})" for g in singular) + " estimated at 0")
        if not converged[i]:
            notes.append("optimiser stopped before convergence")
        out.append(MixedFit(
            names=list(names), beta=sol["beta"][i, 0], cov=cov[i], sigma=float(sigma[i]),
            theta=theta[i], group_names=list(groups), estimation="REML" if reml else "ML",
            deviance=float(dev[i]), n_obs=int(d.n[i]), n_levels=dict(levels), singular=singular,
            notes=notes, vcov_varpar=None if vcov_varpar is None else vcov_varpar[i],
            jacobian=None if jac is None else jac[i]))
    return out


def _pinv_positive(h: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    """Moore-Penrose inverse over the eigenvalues above ``tol`` (lmerTest's rule), batched."""
    vals, vecs = np.linalg.eigh(h)
    inv = np.where(vals > tol, 1 / np.where(vals > tol, vals, 1.0), 0.0)
    return np.einsum("rij,rj,rkj->rik", vecs, inv, vecs)


def fit_batch(x: np.ndarray, y: np.ndarray, observed: np.ndarray, codes: list[np.ndarray],
              estimation: str = "REML", satterthwaite: bool = False) -> list[MixedFit]:
    """Fit the same model to many data sets at once (the power simulation's replicates).

    Parameters
    ----------
    x : array (n, p)
        The full design (full column rank), one row per possible observation.
    y : array (R, n)
        Outcomes of R data sets (any value where not observed).
    observed : array (R, n) of bool
        Which rows each data set observed (drop-out).
    codes : list of int arrays (n,)
        Level codes of one or two grouping factors, the one with more levels first.
    estimation, satterthwaite
        As :func:`fit_lmm`; Satterthwaite's df cost about 30 more deviance evaluations.

    Returns
    -------
    list of MixedFit, one per data set: exactly what :func:`fit_lmm` returns
    for that data set alone (a test checks this).
    """
    w = np.asarray(observed, float)
    d = _sums(np.asarray(x, float), np.where(observed, y, 0.0), w, codes[0],
              codes[1] if len(codes) > 1 else None)
    groups = [f"factor{i + 1}" for i in range(len(codes))]
    levels = {g: int(c.max()) + 1 for g, c in zip(groups, codes, strict=True)}
    return _finish(d, estimation == "REML", [f"x{j}" for j in range(x.shape[1])], groups,
                   levels, with_df=satterthwaite)


def contrast_vector(names: list[str], weights: dict) -> np.ndarray:
    """A contrast over ``names`` from ``{name: weight}`` (0 elsewhere)."""
    return np.array([float(weights.get(c, 0.0)) for c in names])
