"""The frozen fit records of the prediction models (retention/models.py fits them).

Apart from the models so that reading a stored fit back (retention/results.py) does not import scipy: about
0.4 to 0.8 s of one core, paid by the Predictions page's first visit although it fits nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


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
