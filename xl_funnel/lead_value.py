"""What a lead and a visit are worth (seed article 002)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_nonnegative, divide, scalar_or_array

__all__ = ["value_per_lead", "value_per_visit", "visits_per_lead"]


def _ratio(
    numerator: ArrayLike, denominator: ArrayLike, names: tuple[str, str]
) -> float | np.ndarray:
    top = as_array(numerator, names[0])
    bottom = as_array(denominator, names[1])
    check_nonnegative(top, names[0])
    check_nonnegative(bottom, names[1])
    return scalar_or_array(np.asarray(divide(top, bottom)))


def value_per_lead(revenue: ArrayLike, leads: ArrayLike) -> float | np.ndarray:
    """Revenue attributed to leads, per lead.

    Parameters
    ----------
    revenue : array_like
        Revenue attributed to the leads of the period (money, ≥ 0).
    leads : array_like
        Leads of the same period (≥ 0). Broadcasts against `revenue`.

    Returns
    -------
    float or ndarray
        ``revenue / leads``; NaN where `leads` is 0 (no leads: the value is undefined, not 0).

    Raises
    ------
    InvalidAmountError
        A negative or non-finite argument.

    Notes
    -----
    .. math:: \\text{value per lead} = \\frac{\\text{lead-attributed revenue}}{\\text{leads}}

    References
    ----------
    Seed article ``002_54210b0d460e6280.txt`` (value of traffic and leads, per quarter).

    Examples
    --------
    >>> value_per_lead(1_500_000, 2_500)
    600.0
    >>> value_per_lead([1.5e6, 0.0], [2500, 0])
    array([600.,  nan])
    """
    return _ratio(revenue, leads, ("revenue", "leads"))


def value_per_visit(revenue: ArrayLike, visits: ArrayLike) -> float | np.ndarray:
    """Revenue attributed to leads, per website visit.

    Parameters
    ----------
    revenue : array_like
        Lead-attributed revenue of the period (money, ≥ 0).
    visits : array_like
        Website visits (sessions) of the same period (≥ 0).

    Returns
    -------
    float or ndarray
        ``revenue / visits``; NaN where `visits` is 0.

    Raises
    ------
    InvalidAmountError
        A negative or non-finite argument.

    Notes
    -----
    .. math:: \\text{value per visit} = \\frac{\\text{lead-attributed revenue}}{\\text{visits}}

    References
    ----------
    Seed article ``002_54210b0d460e6280.txt``.

    Examples
    --------
    >>> value_per_visit(1_500_000, 150_000)
    10.0
    """
    return _ratio(revenue, visits, ("revenue", "visits"))


def visits_per_lead(visits: ArrayLike, leads: ArrayLike) -> float | np.ndarray:
    """Website visits it takes to get one lead.

    Parameters
    ----------
    visits : array_like
        Website visits of the period (≥ 0).
    leads : array_like
        Leads of the same period (≥ 0).

    Returns
    -------
    float or ndarray
        ``visits / leads``; NaN where `leads` is 0. The inverse of the visit→lead rate.

    Raises
    ------
    InvalidAmountError
        A negative or non-finite argument.

    Notes
    -----
    .. math:: \\text{visits per lead} = \\frac{\\text{visits}}{\\text{leads}}

    References
    ----------
    Seed article ``002_54210b0d460e6280.txt``.

    Examples
    --------
    Seed 000's 1.5 % visit→lead rate means about 67 visits a lead:

    >>> round(visits_per_lead(6250, 93.75), 2)
    66.67
    """
    return _ratio(visits, leads, ("visits", "leads"))
