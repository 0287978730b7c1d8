"""The prediction models of METRICS.md "Predictions": BG/NBD (who is still with us, how often) and
Gamma-Gamma (how much), their limit models, fitted by maximum likelihood.

Pure numpy/scipy: every function takes arrays (one entry per customer) and returns arrays or a frozen
fit record; nothing here knows about the data folder. Time is in whatever unit the arrays are in (the
reports use days); alpha is in that unit, r, a, b are unit-free. Money likewise for v and theta.

References: Fader, Hardie & Lee (2005a), "Counting your customers the easy way: an alternative to the
Pareto/NBD model", Marketing Science 24(2) (eq. numbers below); Fader, Hardie & Lee (2005b), "RFM and
CLV: using iso-value curves for customer base analysis", JMR 42(4); Hardie, "The Gamma-Gamma model of
monetary value" (note 025, 2013).
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

from retention.fits import BgnbdFit, GammaGammaFit  # the fit records (models.BgnbdFit still names them)

# The limit is chosen when its maximum log-likelihood is not below the finite fit's by more than this share.
LIMIT_TOLERANCE = 1e-6
# Log-parameters are kept within [-LOG_BOUND, LOG_BOUND] during the search, on data scaled to a mean age
# and a mean spend of 1 (e^±18, 1.5e-8 .. 6.6e7, covers every real fit; a fit that runs to the bound is a
# limit case, which the limit model then wins). Further out, gammaln(q + pn) - gammaln(q) loses more digits
# to rounding than the limit rule's tolerance (at q = 1e11 the rounding alone beat the limit by 1e-6).
LOG_BOUND = 18.0


def _arrays(*values) -> list[np.ndarray]:
    return [np.asarray(v, dtype=float) for v in values]


# -- BG/NBD ------------------------------------------------------------------------------------------


def bgnbd_log_likelihood(r, alpha, a, b, x, t_x, age) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood, Fader, Hardie & Lee (2005a) eq. 6:
    ln[ B(a,b+x)/B(a,b) G(r+x) alpha^r / (G(r) (alpha+T)^(r+x))
        + [x>0] B(a+1,b+x-1)/B(a,b) G(r+x) alpha^r / (G(r) (alpha+t_x)^(r+x)) ], T = age."""
    x, t_x, age = _arrays(x, t_x, age)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha) - betaln(a, b)
    term1 = betaln(a, b + x) - (r + x) * np.log(alpha + age)
    with np.errstate(divide="ignore", invalid="ignore"):
        term2 = np.where(x > 0, betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(term1, term2)


def bgnbd_limit_log_likelihood(r, alpha, pi, x, t_x, age) -> np.ndarray:
    """Per-customer log-likelihood of the BG/NBD limit as a, b grow with a/(a+b) -> pi (METRICS.md "Limits"):
    ln[ G(r+x) alpha^r / G(r) ((1-pi)^x (alpha+T)^-(r+x) + [x>0] pi (1-pi)^(x-1) (alpha+t_x)^-(r+x)) ]."""
    x, t_x, age = _arrays(x, t_x, age)
    common = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    term1 = x * np.log1p(-pi) - (r + x) * np.log(alpha + age)
    with np.errstate(divide="ignore", invalid="ignore"):
        term2 = np.where(x > 0, np.log(pi) + (x - 1) * np.log1p(-pi) - (r + x) * np.log(alpha + t_x), -np.inf)
    return common + np.logaddexp(term1, term2)


def _dropout_odds(fit: BgnbdFit, x, t_x, age) -> np.ndarray:
    """[x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x) (eq. 13's denominator minus 1); pi/(1-pi) in the limit."""
    x, t_x, age = _arrays(x, t_x, age)
    ratio = fit.pi / (1 - fit.pi) if fit.limit else fit.a / np.maximum(fit.b + x - 1, 1e-300)
    with np.errstate(over="ignore"):
        odds = ratio * np.exp((fit.r + x) * (np.log(fit.alpha + age) - np.log(fit.alpha + t_x)))
    return np.where(x > 0, odds, 0.0)


def p_alive(fit: BgnbdFit, x, t_x, age) -> np.ndarray:
    """P(alive | x, t_x, T), Fader, Hardie & Lee (2005a) eq. 13 (Hardie's note 021):
    1 / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); the limit uses pi/(1-pi) for a/(b+x-1)."""
    return 1.0 / (1.0 + _dropout_odds(fit, x, t_x, age))


def expected_purchases(fit: BgnbdFit, x, t_x, age, horizon) -> np.ndarray:
    """E[Y(t) | x, t_x, T], purchases in the next `horizon` time units, Fader, Hardie & Lee (2005a) eq. 10:
    (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
    / (1 + [x>0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)).
    Limit: (1/pi) [1 - ((alpha+T)/(alpha+T+pi t))^(r+x)] over the same denominator (METRICS.md "Limits")."""
    x, t_x, age = _arrays(x, t_x, age)
    h = float(horizon)
    r, alpha = fit.r, fit.alpha
    if fit.limit:
        pi = fit.pi
        num = (1.0 / pi) * -np.expm1((r + x) * (np.log(alpha + age) - np.log(alpha + age + pi * h)))
    else:
        a, b = fit.a, fit.b
        z = h / (alpha + age + h)
        f = hyp2f1(r + x, b + x, a + b + x - 1, z)
        num = (a + b + x - 1) / (a - 1) * (1 - ((alpha + age) / (alpha + age + h)) ** (r + x) * f)
    return num / (1.0 + _dropout_odds(fit, x, t_x, age))


def _codes(column: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(the column's distinct values ascending, each entry's index among them). Whole numbers in a range
    not much wider than the column (days, counts) are ranked by counting, without a sort."""
    if (
        len(column)
        and np.isfinite(lo := column.min())
        and np.isfinite(hi := column.max())
        and hi - lo < 4 * len(column) + 4096
    ):
        k = (column - lo).astype(np.int64)
        if np.array_equal(k, column - lo):
            present = np.bincount(k) > 0
            return np.flatnonzero(present) + lo, (np.cumsum(present) - 1)[k]
    values, inverse = np.unique(column, return_inverse=True)
    return values, inverse.reshape(-1).astype(np.int64)


def _distinct_rows(*columns) -> tuple[list[np.ndarray], list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns, as (each column's distinct values, each distinct row's index into
    them per column, how often each row occurs): the likelihood sums over them weighted. Rows are ordered
    by their first column, then the next; one sort of an integer key (a sort of the rows as records took
    seconds at 10M orders)."""
    values, codes = zip(*(_codes(c) for c in _arrays(*columns)), strict=True)
    key = codes[0]
    for k in range(1, len(codes)):
        if len(values[k]) > 1:
            if (int(key.max()) + 1) * len(values[k]) >= 2**62:  # renumber the key so far, then extend it
                key = np.unique(key, return_inverse=True)[1].reshape(-1)
            key = key * len(values[k]) + codes[k]
    _, first, counts = np.unique(key, return_index=True, return_counts=True)
    return list(values), [c[first] for c in codes], counts.astype(float)


def _minimize(negll, starts: list[np.ndarray]) -> tuple[np.ndarray, float]:
    """`negll(theta) -> (value, gradient)`. The best of L-BFGS-B runs (tight tolerances) from the starting
    points; a later start is tried only when a run ends where the likelihood is not finite or stalls in its
    first steps (a line search that fails far along, as the likelihood keeps rising, is kept)."""
    best_x, best_f = None, np.inf
    bounds = [(-LOG_BOUND, LOG_BOUND)] * len(starts[0])
    for start in starts:
        res = minimize(negll, start, jac=True, method="L-BFGS-B", bounds=bounds, options={"ftol": 1e-13, "gtol": 1e-8})
        if np.isfinite(res.fun) and res.fun < best_f:
            best_x, best_f = res.x, res.fun
        if best_f < 1e299 and (res.success or res.nit >= 5):
            break
    if best_x is None:
        raise FloatingPointError("the likelihood is not finite at any starting point")
    return np.asarray(best_x), float(best_f)


def _wsum(w: np.ndarray, v: np.ndarray) -> float:
    """sum(w * v): einsum, not np.dot, whose BLAS threads crawl on a machine whose cores are busy (25 ms for
    what einsum does in 0.05 ms)."""
    return np.einsum("i,i->", w, v)


def _tolerated(limit_ll: float, finite_ll: float) -> bool:
    return limit_ll >= finite_ll - LIMIT_TOLERANCE * abs(finite_ll)


class _BgnbdRows:
    """The BG/NBD likelihood of eq. 6 (and of its limit) summed over customers, with its gradient, arranged
    so that each evaluation costs one exp and one log1p per distinct repeat customer (x, t_x, T):

    per customer ln[e^a1 + e^a2] = a1 + ln(1 + e^d), with a1 = A(x) - (r+x) ln(alpha+T) and
    d = a2 - a1 = D(x) - (r+x) [ln(alpha+t_x) - ln(alpha+T)], where
      model: A(x) = ln B(a, b+x) - ln B(a, b), D(x) = ln(a / (b+x-1))  (B(a+1, b+x-1)/B(a, b+x) = a/(b+x-1));
      limit: A(x) = x ln(1-pi),               D(x) = ln(pi / (1-pi)).
    The logs are taken once per distinct T and t_x, the gamma functions once per distinct x; the sums of
    a1 come from per-T and per-x totals. One-time buyers (x = 0: ln[...] = -r ln(alpha+T)) count by T."""

    def __init__(self, x, t_x, age, scale: float):
        (xs, ts, ags), (ix, it, ia), w = _distinct_rows(x, t_x, age)
        self.xs, self.ts, self.ags = xs, ts / scale, ags / scale
        rep = xs[ix] > 0
        self.w_all = float(w.sum())
        self.w_once = np.bincount(ia[~rep], weights=w[~rep], minlength=len(ags))  # x = 0, per T
        self.ix, self.it, self.ia, self.w = ix[rep], it[rep], ia[rep], w[rep]
        self.x = xs[self.ix]
        self.c_x = np.bincount(self.ix, weights=self.w, minlength=len(xs))  # repeat customers per x
        self.c_t = np.bincount(self.ia, weights=self.w, minlength=len(ags))  # repeat customers per T
        self.cx_t = np.bincount(self.ia, weights=self.w * self.x, minlength=len(ags))  # their sum of x per T
        self.sum_x = float(_wsum(self.w, self.x))
        self.weighted = bool(np.any(self.w != 1.0))
        self.x_at = np.flatnonzero(self.c_x)  # the distinct x of repeat customers, and where their rows start
        self.x_from = np.searchsorted(self.ix, self.x_at)
        # Work arrays, one per step, reused by every evaluation (fresh ones cost a page fault per 4 kB).
        self._dl, self._rx, self._nd, self._g, self._tmp = (np.empty(len(self.x)) for _ in range(5))

    def evaluate(self, r, alpha, big_a, d_x):
        """(sum LL, its derivative in r, in alpha, sum per distinct x of the customers' share of the second
        term) for A(x) = big_a (per distinct x) and D(x) = d_x (per distinct x, or one number)."""
        la_t = np.log(alpha + self.ags)
        lt_t = np.log(alpha + self.ts)
        dl, rx, nd, g, tmp = self._dl, self._rx, self._nd, self._g, self._tmp
        np.take(lt_t, self.it, out=dl, mode="clip")
        dl -= np.take(la_t, self.ia, out=tmp, mode="clip")  # ln(alpha+t_x) - ln(alpha+T) <= 0
        np.add(self.x, r, out=rx)
        np.multiply(rx, dl, out=nd)
        nd -= np.take(d_x, self.ix, out=tmp, mode="clip") if np.ndim(d_x) else d_x  # -d >= -D(x)
        if -np.min(d_x) < 700.0:  # e^-d cannot overflow: ln(1 + e^d) = d + ln(1 + e^-d)
            np.exp(nd, out=g)
            soft_sum = _wsum(self.w, np.log1p(g, out=tmp)) - _wsum(self.w, nd)
            g += 1.0
            share = np.reciprocal(g, out=g)  # e^d / (1 + e^d), that is e^a2 / (e^a1 + e^a2)
        else:
            d = -nd
            e = np.exp(-np.abs(d))
            soft_sum = _wsum(self.w, np.log1p(e) + np.maximum(d, 0.0))
            share = np.where(d >= 0, 1.0, e) / (1.0 + e)
        gam = gammaln(r + self.xs) - gammaln(r)
        once_la = _wsum(self.w_once, la_t)
        ll = (
            _wsum(self.c_x, gam + big_a) + self.w_all * r * np.log(alpha)
            - r * (_wsum(self.c_t, la_t) + once_la) - _wsum(self.cx_t, la_t) + soft_sum
        )  # fmt: skip
        if not np.isfinite(ll):
            return ll, 0.0, 0.0, None
        ws = np.multiply(share, self.w, out=share) if self.weighted else share
        per_x = np.zeros(len(self.xs))
        per_x[self.x_at] = np.add.reduceat(ws, self.x_from) if len(ws) else 0.0  # rows are ordered by x
        ia_t, it_t = 1.0 / (alpha + self.ags), 1.0 / (alpha + self.ts)
        di = np.take(it_t, self.it, out=nd, mode="clip")
        di -= np.take(ia_t, self.ia, out=tmp, mode="clip")
        di *= rx
        g_r = (
            _wsum(self.c_x, digamma(r + self.xs) - digamma(r)) + self.w_all * np.log(alpha)
            - _wsum(self.c_t, la_t) - once_la - _wsum(ws, dl)
        )  # fmt: skip
        g_alpha = (
            self.w_all * r / alpha - r * _wsum(self.c_t + self.w_once, ia_t) - _wsum(self.cx_t, ia_t)
            - _wsum(ws, di)
        )  # fmt: skip
        return ll, g_r, g_alpha, per_x


def fit_bgnbd(x, t_x, age) -> BgnbdFit:
    """Maximum-likelihood BG/NBD fit (Fader, Hardie & Lee 2005a, eq. 6 summed over customers), or its limit
    (METRICS.md "Limits") when the limit's maximum is not below the finite one's by more than 1e-6 of it.

    Times are scaled by their mean age before the search (alpha scales with time, r, a, b do not), so the
    same starting points serve weeks and days; the log-likelihood is reported on the original scale."""
    x, t_x, age = _arrays(x, t_x, age)
    n = len(x)
    scale = float(np.mean(age)) if n and np.mean(age) > 0 else 1.0
    rows = _BgnbdRows(x, t_x, age, scale)
    xs = rows.xs
    bx1 = np.where(xs > 0, rows.xs - 1, 1.0)  # b + x - 1 is only read where x > 0

    def negll(theta):
        r, alpha, a, b = np.exp(theta)
        big_a = betaln(a, b + xs) - betaln(a, b)
        ll, g_r, g_alpha, per_x = rows.evaluate(r, alpha, big_a, np.log(a) - np.log(b + bx1))
        if not np.isfinite(ll):
            return 1e300, np.zeros(4)
        dab = digamma(a + b) - digamma(a + b + xs)
        g_a = _wsum(rows.c_x, dab) + _wsum(per_x, np.full(len(xs), 1.0 / a))
        g_b = _wsum(rows.c_x, dab + digamma(b + xs) - digamma(b)) - _wsum(per_x, 1.0 / (b + bx1))
        return -ll, -np.array([r * g_r, alpha * g_alpha, a * g_a, b * g_b])

    def negll_limit(theta):
        r, alpha = np.exp(theta[:2])
        pi = 1.0 / (1.0 + np.exp(-theta[2]))
        ll, g_r, g_alpha, per_x = rows.evaluate(r, alpha, xs * np.log1p(-pi), theta[2])
        if not np.isfinite(ll):
            return 1e300, np.zeros(3)
        g_u = float(per_x.sum()) - pi * rows.sum_x
        return -ll, -np.array([r * g_r, alpha * g_alpha, g_u])

    starts = [np.log([1.0, 1.0, 1.0, 1.0]), np.log([0.5, 0.5, 0.5, 2.0]), np.log([2.0, 2.0, 2.0, 5.0])]
    th, f = _minimize(negll, starts)
    # The limit's search starts from the model's fit (r, alpha and a/(a+b), which is pi as a, b grow), then
    # from fixed points as before.
    from_fit = np.array([th[0], th[1], th[2] - th[3]])  # logit(a/(a+b)) = ln a - ln b
    th_l, f_l = _minimize(
        negll_limit, [from_fit, np.array([0.0, 0.0, -1.0]), np.array([np.log(0.5), np.log(0.5), -2.0])]
    )
    shift = (rows.sum_x) * np.log(scale)  # LL in original units = LL scaled - sum(x) ln(scale)
    finite_ll, limit_ll = -f - shift, -f_l - shift
    if _tolerated(limit_ll, finite_ll):
        r, alpha = np.exp(th_l[:2])
        pi = float(1.0 / (1.0 + np.exp(-th_l[2])))
        return BgnbdFit(float(r), float(alpha * scale), None, None, pi, float(limit_ll), n, True)
    r, alpha, a, b = np.exp(th)
    return BgnbdFit(float(r), float(alpha * scale), float(a), float(b), None, float(finite_ll), n, False)


# -- Gamma-Gamma ---------------------------------------------------------------------------------------

# Above this, gammaln(z + q) - gammaln(z) is taken from Stirling's series (error below 1e-24) rather than
# as a difference of two numbers of size z ln z, which loses their digits: at z = 1e7 (p n on a fit that
# runs to its bound) the rounding of the difference alone moved a fit's log-likelihood by 0.2.
_STIRLING_FROM = 1e3


def _stirling_tail(z):
    """ln G(z) - [(z - 1/2) ln z - z + ln(2 pi)/2], its asymptotic series (z >= _STIRLING_FROM)."""
    z2 = z * z
    return (1.0 / 12.0 - (1.0 / 360.0 - 1.0 / (1260.0 * z2)) / z2) / z


def _large_z(z, q, exact, asymptotic):
    """exact(z, q) where z < _STIRLING_FROM, asymptotic(z, q) elsewhere (arrays, broadcast); the asymptotic
    form is only evaluated at z >= _STIRLING_FROM."""
    z, q = np.broadcast_arrays(np.asarray(z, dtype=float), np.asarray(q, dtype=float))
    big = z >= _STIRLING_FROM
    if not big.any():
        return exact(z, q)
    return np.where(big, asymptotic(np.where(big, z, _STIRLING_FROM), q), exact(z, q))


def _lgamma_ratio(z, q):
    """ln G(z + q) - ln G(z) for z, q > 0 (arrays), accurate for large z."""

    def stirling(zb, q):
        return (zb - 0.5) * np.log1p(q / zb) + q * np.log(zb + q) - q + (_stirling_tail(zb + q) - _stirling_tail(zb))

    return _large_z(z, q, lambda z, q: gammaln(z + q) - gammaln(z), stirling)


def _gg_head(pn, q):
    """ln[G(pn + q) / (G(pn) G(q))], with the larger of pn and q taken through _lgamma_ratio."""
    pn, q = np.broadcast_arrays(np.asarray(pn, dtype=float), np.asarray(q, dtype=float))
    return np.where(pn >= q, _lgamma_ratio(pn, q) - gammaln(q), _lgamma_ratio(q, pn) - gammaln(pn))


def _digamma_ratio(z, q):
    """psi(z + q) - psi(z) for z, q > 0 (arrays), accurate for large z (the derivative of _lgamma_ratio)."""

    def tail(u):  # psi(u) - ln u, its asymptotic series
        u2 = u * u
        return -0.5 / u - (1.0 / 12.0 - (1.0 / 120.0 - 1.0 / (252.0 * u2)) / u2) / u2

    def asymptotic(zb, q):
        return np.log1p(q / zb) + (tail(zb + q) - tail(zb))

    return _large_z(z, q, lambda z, q: digamma(z + q) - digamma(z), asymptotic)


def gamma_gamma_log_likelihood(p, q, v, n_spend, spend) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean spend m over n transactions (Hardie's note 025,
    eq. 4; Fader, Hardie & Lee 2005b): ln[ G(pn+q)/(G(pn) G(q)) v^q m^(pn-1) n^(pn) / (v+mn)^(pn+q) ],
    written as ln[G(pn+q)/(G(pn) G(q))] + q ln v - ln m - q ln(mn) - (pn+q) ln(1 + v/(mn)), which is the
    same number without the cancellation of pn ln(mn) against pn ln(v+mn) when p is large."""
    n, m = _arrays(n_spend, spend)
    pn = p * n
    mn = m * n
    return _gg_head(pn, q) + q * np.log(v) - np.log(m) - q * np.log(mn) - (pn + q) * np.log1p(v / mn)


def gamma_gamma_limit_log_likelihood(p, theta, n_spend, spend) -> np.ndarray:
    """Per-customer log-likelihood of the Gamma-Gamma limit as q, v grow with v/q -> theta (METRICS.md
    "Limits"): ln[ (n/theta)^(pn) m^(pn-1) e^(-nm/theta) / G(pn) ]."""
    n, m = _arrays(n_spend, spend)
    pn = p * n
    return pn * np.log(n / theta) + (pn - 1) * np.log(m) - n * m / theta - gammaln(pn)


def _inverse_gamma_fit(w, m) -> tuple[float, float, float] | None:
    """(q, s, sum LL) of the spend model's other edge, p -> infinity with p v -> s (each customer spends the
    same every time; the customers' spend is then inverse-gamma, 1/m ~ Gamma(q, s)):
    LL = sum ln[ s^q m^-(q+1) e^(-s/m) / G(q) ]. None when every m is alike (no finite q)."""
    total = float(w.sum())
    mean_inv = _wsum(w, 1.0 / m) / total
    c = float(np.log(mean_inv) + _wsum(w, np.log(m)) / total)  # ln q - psi(q) = c, c > 0 by Jensen
    if not c > 1e-12:
        return None
    from scipy.special import polygamma

    q = 0.5 / c
    for _ in range(100):  # Newton in ln q: ln q - psi(q) falls from infinity to 0
        f = np.log(q) - digamma(q) - c
        step = f / (q * (1.0 / q - polygamma(1, q)))
        q *= np.exp(-np.clip(step, -2.0, 2.0))
        if abs(step) < 1e-14:
            break
    s = q / mean_inv
    ll = total * (q * np.log(s) - gammaln(q)) - (q + 1) * _wsum(w, np.log(m)) - s * _wsum(w, 1.0 / m)
    return float(q), float(s), float(ll)


def fit_gamma_gamma(n_spend, spend) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit over customers with n_spend >= 1 (note 025, eq. 4 summed), or its
    limit when the limit's maximum is not below the finite one's by more than 1e-6 of it.

    Spend is scaled by its mean before the search (v and theta scale with money, p and q do not). The sum
    over customers is taken from sums computed once (per distinct n, of ln m, ln mn): an evaluation costs
    one log1p and one division per distinct customer (n, m). The limit's likelihood is all sums.

    Where the likelihood keeps rising as p grows with p v fixed (each customer's spend is the same every
    time; METRICS.md names no limit for it), the search is also started at that edge, at the bound of the
    search (p v from the inverse-gamma fit of that edge), so it ends at the bound in a few steps, not after
    a hundred along the ridge, and at the same point every run."""
    n, m = _arrays(n_spend, spend)
    count = len(n)
    scale = float(np.mean(m)) if count and np.mean(m) > 0 else 1.0
    (ns, ms), (jn, jm), w = _distinct_rows(n, m)
    un, sm = ns[jn], ms[jm] / scale
    c_n = np.bincount(jn, weights=w, minlength=len(ns))  # customers per distinct n
    total = float(w.sum())
    wn = w * un
    mn = sm * un
    s_lnm, s_lnmn, s_n, s_mn = _wsum(w, np.log(sm)), _wsum(w, np.log(mn)), _wsum(w, un), _wsum(w, mn)
    s_nlnn, s_nlnm = _wsum(c_n, ns * np.log(ns)), _wsum(wn, np.log(sm))
    inv_mn = 1.0 / mn
    work = [np.empty(len(mn)) for _ in range(3)]  # reused by every evaluation (no page faults)

    def negll(theta):
        p, q, v = np.exp(theta)
        pns = p * ns
        ratio = np.multiply(inv_mn, v, out=work[0])
        lv = np.log1p(ratio, out=work[1])  # ln(v + mn) - ln(mn)
        ll = (
            _wsum(c_n, _gg_head(pns, q)) + total * q * np.log(v) - s_lnm - q * s_lnmn
            - p * _wsum(wn, lv) - q * _wsum(w, lv)
        )  # fmt: skip
        if not np.isfinite(ll):
            return 1e300, np.zeros(3)
        inv = np.add(ratio, 1.0, out=work[2])
        np.divide(ratio, inv, out=inv)  # v d/dv ln(v + mn)
        dpq = digamma(pns + q)
        g_p = p * (_wsum(c_n, ns * _digamma_ratio(pns, q)) - _wsum(wn, lv))
        g_q = q * (_wsum(c_n, dpq) - total * digamma(q) + total * np.log(v) - s_lnmn - _wsum(w, lv))
        g_v = q * total - p * _wsum(wn, inv) - q * _wsum(w, inv)
        return -ll, -np.array([g_p, g_q, g_v])

    def negll_limit(theta):
        p, th = np.exp(theta)
        pns = p * ns
        ll = p * (s_nlnn - np.log(th) * s_n + s_nlnm) - s_lnm - s_mn / th - _wsum(c_n, gammaln(pns))
        if not np.isfinite(ll):
            return 1e300, np.zeros(2)
        g_p = p * (s_nlnn - np.log(th) * s_n + s_nlnm - _wsum(c_n, ns * digamma(pns)))
        g_t = -p * s_n + s_mn / th
        return -ll, -np.array([g_p, g_t])

    starts = [np.log([1.0, 1.0, 1.0]), np.log([2.0, 3.0, 2.0]), np.log([5.0, 5.0, 10.0])]
    th, f = _minimize(negll, starts)
    edge = _inverse_gamma_fit(w, sm)
    if edge is not None and -LOG_BOUND < np.log(edge[0]) < LOG_BOUND:
        q_e, s_e, _ = edge
        ln_p = min(LOG_BOUND, np.log(s_e) + LOG_BOUND)  # v = s/p stays within the bound too
        th_e, f_e = _minimize(negll, [np.array([ln_p, np.log(q_e), np.log(s_e) - ln_p])])
        if f_e < f:
            th, f = th_e, f_e
    th_l, f_l = _minimize(negll_limit, [np.array([0.0, 0.0]), np.array([np.log(3.0), np.log(0.3)])])
    shift = total * np.log(scale)  # LL in original units = LL scaled - (customers) ln(scale)
    if _tolerated(-f_l - shift, -f - shift):
        p, theta = np.exp(th_l)
        return GammaGammaFit(float(p), None, None, float(theta * scale), float(-f_l - shift), count, True)
    p, q, v = np.exp(th)
    return GammaGammaFit(float(p), float(q), float(v * scale), None, float(-f - shift), count, False)


def expected_spend(fit: GammaGammaFit, n_spend, spend) -> np.ndarray:
    """E[M | n, m], the expected spend per purchase (Fader, Hardie & Lee 2005b eq. 5; note 025 eq. 5):
    p (v + m n) / (p n + q - 1) for n >= 1, else the population mean p v / (q - 1); p theta in the limit."""
    n, m = _arrays(n_spend, spend)
    if fit.limit:
        return np.full(n.shape, fit.p * fit.theta)
    m = np.where(n >= 1, np.nan_to_num(m), 0.0)
    population = fit.p * fit.v / (fit.q - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        own = fit.p * (fit.v + m * n) / (fit.p * n + fit.q - 1)
    return np.where(n >= 1, own, population)
