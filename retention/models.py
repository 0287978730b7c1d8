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

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import betaln, digamma, gammaln, hyp2f1

# The limit is chosen when its maximum log-likelihood is not below the finite fit's by more than this share.
LIMIT_TOLERANCE = 1e-6
# Log-parameters are kept within [-LOG_BOUND, LOG_BOUND] during the search (e^±30 covers every real fit;
# a fit that runs to the bound is the limit case, which the limit model then wins).
LOG_BOUND = 30.0


@dataclass(frozen=True)
class BgnbdFit:
    """A fitted BG/NBD model. In the limit (`limit` True) a and b are None and `pi` holds the one dropout
    probability; otherwise pi is None."""

    r: float
    alpha: float
    a: float | None
    b: float | None
    pi: float | None
    log_likelihood: float
    customers: int
    limit: bool


@dataclass(frozen=True)
class GammaGammaFit:
    """A fitted Gamma-Gamma spend model. In the limit (`limit` True) q and v are None and `theta` holds the
    common scale (v/q); otherwise theta is None."""

    p: float
    q: float | None
    v: float | None
    theta: float | None
    log_likelihood: float
    customers: int
    limit: bool


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
        term2 = np.where(
            x > 0, betaln(a + 1, np.maximum(b + x - 1, 1e-300)) - (r + x) * np.log(alpha + t_x), -np.inf
        )
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


def _compress(*columns) -> tuple[list[np.ndarray], np.ndarray]:
    """The distinct rows of the columns and how often each occurs: the likelihood sums over them weighted."""
    stacked = np.column_stack(_arrays(*columns))
    if len(stacked) == 0:
        return [np.empty(0) for _ in columns], np.empty(0)
    uniq, counts = np.unique(stacked, axis=0, return_counts=True)
    return [uniq[:, i] for i in range(uniq.shape[1])], counts.astype(float)


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


def fit_bgnbd(x, t_x, age) -> BgnbdFit:
    """Maximum-likelihood BG/NBD fit (Fader, Hardie & Lee 2005a, eq. 6 summed over customers), or its limit
    (METRICS.md "Limits") when the limit's maximum is not below the finite one's by more than 1e-6 of it.

    Times are scaled by their mean age before the search (alpha scales with time, r, a, b do not), so the
    same starting points serve weeks and days; the log-likelihood is reported on the original scale."""
    x, t_x, age = _arrays(x, t_x, age)
    n = len(x)
    (ux, ut, ua), w = _compress(x, t_x, age)
    scale = float(np.mean(age)) if n and np.mean(age) > 0 else 1.0
    st, sa = ut / scale, ua / scale

    # Terms of x alone (gamma, beta, digamma functions) are computed once per distinct x and gathered: x
    # takes few values, customers many, and those functions cost ten times a log.
    xs, ix = np.unique(ux, return_inverse=True)
    has_x, rx = ux > 0, ux
    ln_sa_base, ln_st_base = sa, st

    def negll(theta):
        r, alpha, a, b = np.exp(theta)
        bx1s = np.where(xs > 0, b + xs - 1, 1.0)
        la, lt = np.log(alpha + ln_sa_base), np.log(alpha + ln_st_base)
        a1 = betaln(a, b + xs)[ix] - (r + rx) * la
        a2 = np.where(has_x, betaln(a + 1, bx1s)[ix] - (r + rx) * lt, -np.inf)
        top = np.logaddexp(a1, a2)
        ll = (gammaln(r + xs) - gammaln(r))[ix] + r * np.log(alpha) - betaln(a, b) + top
        value = -_wsum(w, ll)
        if not np.isfinite(value):
            return 1e300, np.zeros(4)
        w1, w2 = np.exp(a1 - top), np.exp(a2 - top)
        dab = digamma(a + b + xs)[ix]
        g_r = (digamma(r + xs) - digamma(r))[ix] + np.log(alpha) - w1 * la - w2 * lt
        g_alpha = r / alpha - (r + rx) * (w1 / (alpha + ln_sa_base) + w2 / (alpha + ln_st_base))
        g_a = -(digamma(a) - digamma(a + b)) + w1 * (digamma(a) - dab) + w2 * (digamma(a + 1) - dab)
        g_b = -(digamma(b) - digamma(a + b)) + w1 * digamma(b + xs)[ix] + w2 * digamma(bx1s)[ix] - (w1 + w2) * dab
        grad = -np.array([r * _wsum(w, g_r), alpha * _wsum(w, g_alpha), a * _wsum(w, g_a), b * _wsum(w, g_b)])
        return value, grad

    def negll_limit(theta):
        r, alpha = np.exp(theta[:2])
        pi = 1.0 / (1.0 + np.exp(-theta[2]))
        la, lt = np.log(alpha + ln_sa_base), np.log(alpha + ln_st_base)
        a1 = rx * np.log1p(-pi) - (r + rx) * la
        a2 = np.where(has_x, np.log(pi) + (rx - 1) * np.log1p(-pi) - (r + rx) * lt, -np.inf)
        top = np.logaddexp(a1, a2)
        ll = (gammaln(r + xs) - gammaln(r))[ix] + r * np.log(alpha) + top
        value = -_wsum(w, ll)
        if not np.isfinite(value):
            return 1e300, np.zeros(3)
        w1, w2 = np.exp(a1 - top), np.exp(a2 - top)
        g_r = (digamma(r + xs) - digamma(r))[ix] + np.log(alpha) - w1 * la - w2 * lt
        g_alpha = r / alpha - (r + rx) * (w1 / (alpha + ln_sa_base) + w2 / (alpha + ln_st_base))
        g_u = -w1 * rx * pi + w2 * ((1 - pi) - (rx - 1) * pi)
        grad = -np.array([r * _wsum(w, g_r), alpha * _wsum(w, g_alpha), _wsum(w, g_u)])
        return value, grad

    starts = [np.log([1.0, 1.0, 1.0, 1.0]), np.log([0.5, 0.5, 0.5, 2.0]), np.log([2.0, 2.0, 2.0, 5.0])]
    th, f = _minimize(negll, starts)
    th_l, f_l = _minimize(negll_limit, [np.array([0.0, 0.0, -1.0]), np.array([np.log(0.5), np.log(0.5), -2.0])])
    shift = float(_wsum(w, ux)) * np.log(scale)  # LL in original units = LL scaled - sum(x) ln(scale)
    finite_ll, limit_ll = -f - shift, -f_l - shift
    if _tolerated(limit_ll, finite_ll):
        r, alpha = np.exp(th_l[:2])
        pi = float(1.0 / (1.0 + np.exp(-th_l[2])))
        ll = float(np.sum(bgnbd_limit_log_likelihood(r, alpha * scale, pi, x, t_x, age)))
        return BgnbdFit(float(r), float(alpha * scale), None, None, pi, ll, n, True)
    r, alpha, a, b = np.exp(th)
    ll = float(np.sum(bgnbd_log_likelihood(r, alpha * scale, a, b, x, t_x, age)))
    return BgnbdFit(float(r), float(alpha * scale), float(a), float(b), None, ll, n, False)


# -- Gamma-Gamma ---------------------------------------------------------------------------------------


def gamma_gamma_log_likelihood(p, q, v, n_spend, spend) -> np.ndarray:
    """Per-customer Gamma-Gamma log-likelihood of the mean spend m over n transactions (Hardie's note 025,
    eq. 4; Fader, Hardie & Lee 2005b): ln[ G(pn+q)/(G(pn) G(q)) v^q m^(pn-1) n^(pn) / (v+mn)^(pn+q) ]."""
    n, m = _arrays(n_spend, spend)
    pn = p * n
    return (
        gammaln(pn + q) - gammaln(pn) - gammaln(q) + q * np.log(v) + (pn - 1) * np.log(m) + pn * np.log(n)
        - (pn + q) * np.log(v + m * n)
    )  # fmt: skip


def gamma_gamma_limit_log_likelihood(p, theta, n_spend, spend) -> np.ndarray:
    """Per-customer log-likelihood of the Gamma-Gamma limit as q, v grow with v/q -> theta (METRICS.md
    "Limits"): ln[ (n/theta)^(pn) m^(pn-1) e^(-nm/theta) / G(pn) ]."""
    n, m = _arrays(n_spend, spend)
    pn = p * n
    return pn * np.log(n / theta) + (pn - 1) * np.log(m) - n * m / theta - gammaln(pn)


def fit_gamma_gamma(n_spend, spend) -> GammaGammaFit:
    """Maximum-likelihood Gamma-Gamma fit over customers with n_spend >= 1 (note 025, eq. 4 summed), or its
    limit when the limit's maximum is not below the finite one's by more than 1e-6 of it.

    Spend is scaled by its mean before the search (v and theta scale with money, p and q do not)."""
    n, m = _arrays(n_spend, spend)
    count = len(n)
    (un, um), w = _compress(n, m)
    scale = float(np.mean(m)) if count and np.mean(m) > 0 else 1.0
    sm = um / scale

    ln_m, ln_n = np.log(sm), np.log(un)
    ns, jn = np.unique(un, return_inverse=True)  # the gamma functions once per distinct n

    def negll(theta):
        p, q, v = np.exp(theta)
        pns = p * ns
        pn = p * un
        lvm = np.log(v + sm * un)
        ll = (gammaln(pns + q) - gammaln(pns))[jn] - gammaln(q) + q * np.log(v) + (pn - 1) * ln_m + pn * ln_n
        ll = ll - (pn + q) * lvm
        value = -_wsum(w, ll)
        if not np.isfinite(value):
            return 1e300, np.zeros(3)
        dpq = digamma(pns + q)[jn]
        g_p = un * (dpq - digamma(pns)[jn] + ln_m + ln_n - lvm)
        g_q = dpq - digamma(q) + np.log(v) - lvm
        g_v = q / v - (pn + q) / (v + sm * un)
        return value, -np.array([p * _wsum(w, g_p), q * _wsum(w, g_q), v * _wsum(w, g_v)])

    def negll_limit(theta):
        p, th = np.exp(theta)
        pns = p * ns
        pn = p * un
        ll = pn * (ln_n - np.log(th)) + (pn - 1) * ln_m - un * sm / th - gammaln(pns)[jn]
        value = -_wsum(w, ll)
        if not np.isfinite(value):
            return 1e300, np.zeros(2)
        g_p = un * (ln_n - np.log(th)) + un * ln_m - un * digamma(pns)[jn]
        g_t = -pn / th + un * sm / th**2
        return value, -np.array([p * _wsum(w, g_p), th * _wsum(w, g_t)])

    starts = [np.log([1.0, 1.0, 1.0]), np.log([2.0, 3.0, 2.0]), np.log([5.0, 5.0, 10.0])]
    th, f = _minimize(negll, starts)
    th_l, f_l = _minimize(negll_limit, [np.array([0.0, 0.0]), np.array([np.log(3.0), np.log(0.3)])])
    if _tolerated(-f_l, -f):
        p, theta = np.exp(th_l)
        ll = float(np.sum(gamma_gamma_limit_log_likelihood(p, theta * scale, n, m)))
        return GammaGammaFit(float(p), None, None, float(theta * scale), ll, count, True)
    p, q, v = np.exp(th)
    ll = float(np.sum(gamma_gamma_log_likelihood(p, q, v * scale, n, m)))
    return GammaGammaFit(float(p), float(q), float(v * scale), None, ll, count, False)


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
