"""Channel KPIs: the counts a marketer types per channel type and the rates derived from them.

Seed 004 lists the KPIs of each demand-generation channel (email, paid social, content
syndication, webinars, direct mail) and gives three thresholds; seed 003 adds the response and
activity metrics (open, click and reply rates, emails sent). Each channel type is described
once, as data (:data:`CHANNEL_KINDS`): its counts, then each metric as a ratio of two of them.
The plan workbook's "Channel KPIs" sheet, the Excel function ``CHANNEL_KPIS`` and the tests
all read these tables.

Thresholds (:data:`THRESHOLDS`), each from its source:

- email delivery rate: "if your delivery rate is below 95 % — that is a reason to worry"
  (seed 004; its example: 9,900 of 10,000 delivered = 99 %). Good at 95 % or more.
- webinar attendance rate: "50 % and above is a good standard to aim for" (seed 004).
- paid social lead → MQL rate: "the aim is zero waste, every lead marketing-qualified (a
  100 % lead-to-MQL rate)" (seed 004). Good only at 100 %.

The other metrics have no threshold in the sources (seed 004: "set your own benchmark"):
they are shown without a colour.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from xl_funnel._checks import as_array, check_nonnegative, divide, scalar_or_array
from xl_funnel.errors import InvalidChoiceError, ShapeMismatchError

__all__ = [
    "CHANNEL_KINDS",
    "GOOD",
    "THRESHOLDS",
    "WATCH",
    "ChannelKind",
    "Metric",
    "Threshold",
    "channel_kpis",
    "kind_key",
    "kpi_status",
]

GOOD = "Good"
WATCH = "Below aim"


class Metric(NamedTuple):
    """One derived KPI: ``numerator / denominator`` of two counts of its channel type."""

    name: str
    label: str
    numerator: str
    denominator: str
    #: ``"percent"`` for a rate, ``"money"`` for a cost per unit.
    unit: str


class ChannelKind(NamedTuple):
    """A channel type: the counts a marketer types (label per count) and the metrics."""

    label: str
    counts: tuple[tuple[str, str], ...]
    metrics: tuple[Metric, ...]


class Threshold(NamedTuple):
    """Good at ``aim`` or more; below it, watch. ``source`` quotes where the figure comes from."""

    aim: float
    source: str


def _rate(name: str, label: str, top: str, bottom: str) -> Metric:
    return Metric(name, label, top, bottom, "percent")


def _cost(name: str, label: str, bottom: str) -> Metric:
    return Metric(name, label, "spend", bottom, "money")


_PAID = ChannelKind(
    "",
    (
        ("impressions", "Impressions"),
        ("clicks", "Clicks"),
        ("spend", "Spend"),
        ("leads", "Leads"),
        ("mqls", "MQLs"),
    ),
    (
        _rate("ctr", "Click-through rate", "clicks", "impressions"),
        _cost("cpc", "Cost per click", "clicks"),
        _cost("cpl", "Cost per lead", "leads"),
        _rate("lead_to_mql_rate", "Lead → MQL rate", "mqls", "leads"),
        _cost("cost_per_mql", "Cost per MQL", "mqls"),
    ),
)

#: Every channel type, in the sheet's order.
CHANNEL_KINDS: dict[str, ChannelKind] = {
    "email": ChannelKind(
        "Email",
        (
            ("sent", "Emails sent"),
            ("delivered", "Delivered"),
            ("unique_opens", "Unique opens"),
            ("unique_clicks", "Unique clicks"),
            ("unsubscribes", "Unsubscribes"),
            ("replies", "Replies"),
        ),
        (
            _rate("delivery_rate", "Delivery rate", "delivered", "sent"),
            _rate("open_rate", "Unique open rate", "unique_opens", "delivered"),
            _rate("click_rate", "Unique click rate", "unique_clicks", "delivered"),
            _rate("click_to_open_rate", "Click-to-open rate", "unique_clicks", "unique_opens"),
            _rate("unsubscribe_rate", "Unsubscribe rate", "unsubscribes", "delivered"),
            _rate("reply_rate", "Reply rate", "replies", "delivered"),
        ),
    ),
    "webinar": ChannelKind(
        "Webinar",
        (
            ("registrations", "Registrations"),
            ("attendees", "Live attendees"),
            ("on_demand_views", "On-demand views"),
        ),
        (
            _rate("attendance_rate", "Attendance rate", "attendees", "registrations"),
            _rate("on_demand_rate", "On-demand view rate", "on_demand_views", "registrations"),
        ),
    ),
    "direct_mail": ChannelKind(
        "Direct mail",
        (("sent", "Gifts sent"), ("claimed", "Claimed"), ("meetings", "Meetings booked")),
        (
            _rate("claim_rate", "Claim rate", "claimed", "sent"),
            _rate("claim_and_meeting_rate", "Claim-and-meeting rate", "meetings", "sent"),
        ),
    ),
    "paid_social": _PAID._replace(label="Paid social"),
    "paid_search": _PAID._replace(label="Paid search"),
    "content_syndication": ChannelKind(
        "Content syndication",
        (("leads", "Leads"), ("mqls", "MQLs"), ("demos", "Demos or meetings"), ("spend", "Spend")),
        (
            _cost("cpl", "Cost per lead", "leads"),
            _rate("lead_to_mql_rate", "Lead → MQL rate", "mqls", "leads"),
            _rate("mql_to_demo_rate", "MQL → demo rate", "demos", "mqls"),
        ),
    ),
    "events": ChannelKind(
        "Events",
        (
            ("registrations", "Registrations"),
            ("attendees", "Attendees"),
            ("meetings", "Meetings booked"),
            ("leads", "Leads"),
            ("spend", "Spend"),
        ),
        (
            _rate("attendance_rate", "Attendance rate", "attendees", "registrations"),
            _rate("meeting_rate", "Meetings per attendee", "meetings", "attendees"),
            _cost("cpl", "Cost per lead", "leads"),
        ),
    ),
}

#: (channel type, metric) → threshold, each quoting seed 004.
THRESHOLDS: dict[tuple[str, str], Threshold] = {
    ("email", "delivery_rate"): Threshold(
        0.95, "Seed 004: a delivery rate below 95 % is a reason to worry (9,900 of 10,000 = 99 %)."
    ),
    ("webinar", "attendance_rate"): Threshold(
        0.5, "Seed 004: an attendance rate of 50 % and above is a good standard to aim for."
    ),
    ("paid_social", "lead_to_mql_rate"): Threshold(
        1.0, "Seed 004: aim for zero waste, every lead marketing-qualified (100 % lead → MQL)."
    ),
}


def kind_key(kind: str) -> str:
    """The key of a channel type as a planner may write it (``"Paid social"``, ``paid-social``).

    Examples
    --------
    >>> kind_key("Paid social")
    'paid_social'
    """
    key = str(kind).strip().lower().replace(" ", "_").replace("-", "_")
    if key not in CHANNEL_KINDS:
        raise InvalidChoiceError(f"kind is {kind!r}: give one of {', '.join(CHANNEL_KINDS)}")
    return key


def channel_kpis(kind: str, counts: Mapping[str, ArrayLike]) -> dict[str, float | np.ndarray]:
    """Every KPI of one channel type from its counts.

    Parameters
    ----------
    kind : str
        A key of :data:`CHANNEL_KINDS` (``"email"``, ``"webinar"``, ``"direct_mail"``,
        ``"paid_social"``, ``"paid_search"``, ``"content_syndication"``, ``"events"``).
    counts : mapping of str → array_like
        Each count the channel type lists (e.g. ``sent``, ``delivered``), ≥ 0; arrays
        broadcast (one value per campaign or month).

    Returns
    -------
    dict
        Metric name → ``numerator / denominator`` (NaN where the denominator is 0), in the
        channel type's order.

    Raises
    ------
    InvalidChoiceError
        An unknown kind.
    ShapeMismatchError
        A count missing or not one of the kind's.
    InvalidAmountError
        A negative or non-finite count.

    Notes
    -----
    Email, for instance:

    .. math::
        \\text{delivery} = \\frac{\\text{delivered}}{\\text{sent}}, \\quad
        \\text{open} = \\frac{\\text{opens}}{\\text{delivered}}, \\quad
        \\text{click-to-open} = \\frac{\\text{clicks}}{\\text{opens}}

    References
    ----------
    Seed articles ``004_b937e714abc4dca0.txt`` (KPIs by channel) and
    ``003_cd3bea1e865c5d0b.txt`` (response and activity metrics).

    Examples
    --------
    Seed 004: 9,900 of 10,000 emails delivered is a 99 % delivery rate.

    >>> kpis = channel_kpis("email", {"sent": 10_000, "delivered": 9_900, "unique_opens": 2_475,
    ...     "unique_clicks": 495, "unsubscribes": 20, "replies": 99})
    >>> kpis["delivery_rate"], kpis["open_rate"], kpis["click_to_open_rate"]
    (0.99, 0.25, 0.2)
    """
    spec = CHANNEL_KINDS[kind_key(kind)]
    names = [name for name, _ in spec.counts]
    unknown = sorted(set(counts) - set(names))
    missing = [name for name in names if name not in counts]
    if unknown or missing:
        raise ShapeMismatchError(
            f"counts for {kind} are {', '.join(names)}"
            + (f"; missing {', '.join(missing)}" if missing else "")
            + (f"; unknown {', '.join(unknown)}" if unknown else "")
        )
    values = {}
    for name in names:
        values[name] = as_array(counts[name], name)
        check_nonnegative(values[name], name, "a count")
    return {
        m.name: scalar_or_array(
            np.asarray(divide(*np.broadcast_arrays(values[m.numerator], values[m.denominator])))
        )
        for m in spec.metrics
    }


def kpi_status(kind: str, metric: str, value: ArrayLike) -> str | np.ndarray:
    """``"Good"`` at the metric's threshold or above, ``"Below aim"`` under it, ``""`` when the
    metric has no threshold or the value is NaN.

    Examples
    --------
    >>> kpi_status("email", "delivery_rate", [0.99, 0.95, 0.9499]).tolist()
    ['Good', 'Good', 'Below aim']
    >>> kpi_status("email", "open_rate", 0.25)
    ''
    """
    key = kind_key(kind)
    spec = CHANNEL_KINDS[key]
    if metric not in {m.name for m in spec.metrics}:
        raise ShapeMismatchError(f"{kind} has no metric {metric!r}")
    values = as_array(value, "value")
    threshold = THRESHOLDS.get((key, metric))
    if threshold is None:
        status = np.full(values.shape, "", dtype=object)
    else:
        status = np.where(
            np.isnan(values), "", np.where(values >= threshold.aim, GOOD, WATCH)
        ).astype(object)
    return str(status) if status.ndim == 0 else status
