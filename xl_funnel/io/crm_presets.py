"""The standard export headers of HubSpot and Salesforce, and how plan stages are recognised.

A preset lists, for each field ``xl-funnel actuals`` reads, the headers a CRM's export uses
for it (matched like every header: case, spaces, ``_`` and ``-`` ignored). Without a preset
the generic headers apply (``channel``, ``amount``, ``created``, ``closed``, ``stage``, ``won``,
and one date column per plan stage named like the stage). ``--columns`` maps any field to any
header: ``--columns channel="Lead Source",MQLs="MQL Date"``. ``docs/data.md`` lists them all.

Sources
-------
- HubSpot contact and deal default properties ("Original Source", "Lifecycle Stage",
  "Became a Lead Date" … "Became a Customer Date", "Create Date", "Close Date", "Amount",
  "Deal Stage"): knowledge.hubspot.com, "HubSpot's default contact properties" and
  "HubSpot's default deal properties".
- Salesforce Opportunity and Lead field labels ("Lead Source", "Created Date", "Close Date",
  "Amount", "Stage", "Won"): the Object Reference for Salesforce and Lightning Platform,
  Opportunity and Lead objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["PRESETS", "STAGE_KEYS", "Preset", "stage_key"]

#: Stage keywords a plan stage name is recognised by (singular, plural, spelled out).
STAGE_KEYS: dict[str, tuple[str, ...]] = {
    "lead": ("lead", "leads", "contact", "contacts"),
    "mql": ("mql", "mqls", "marketing qualified lead", "marketing qualified leads"),
    "sql": ("sql", "sqls", "sales qualified lead", "sales qualified leads"),
    "opportunity": ("opportunity", "opportunities", "opp", "opps"),
    "customer": ("customer", "customers", "new customers"),
}


def stage_key(name: str) -> str | None:
    """The keyword of a plan stage name, or None (``"MQLs"`` → ``"mql"``).

    >>> stage_key("MQLs"), stage_key("Opportunities"), stage_key("Visits")
    ('mql', 'opportunity', None)
    """
    text = re.sub(r"[\s_\-]+", " ", name).strip().casefold()
    return next((key for key, words in STAGE_KEYS.items() if text in words), None)


@dataclass(frozen=True)
class Preset:
    """The headers of one CRM's export for each field (first match wins)."""

    name: str
    channel: tuple[str, ...]
    #: Stage keyword → headers of the date the record entered that stage.
    stage_dates: dict[str, tuple[str, ...]] = field(default_factory=dict)
    created: tuple[str, ...] = ()
    closed: tuple[str, ...] = ()
    amount: tuple[str, ...] = ()
    deal_stage: tuple[str, ...] = ()
    won: tuple[str, ...] = ()
    #: Values of ``deal_stage`` that mean the deal was won.
    won_stages: tuple[str, ...] = ("closed won", "closedwon", "won")


_GENERIC = Preset(
    name="generic",
    channel=("channel", "source"),
    created=("created", "created date", "create date"),
    closed=("closed", "close date", "closed date"),
    amount=("amount", "revenue", "value"),
    deal_stage=("stage", "deal stage"),
    won=("won", "is won"),
)

PRESETS: dict[str, Preset] = {
    "generic": _GENERIC,
    "hubspot": Preset(
        name="hubspot",
        channel=("Original Source", "Original Traffic Source", "Source"),
        stage_dates={
            "lead": ("Became a Lead Date",),
            "mql": ("Became a Marketing Qualified Lead Date",),
            "sql": ("Became a Sales Qualified Lead Date",),
            "opportunity": ("Became an Opportunity Date",),
            "customer": ("Became a Customer Date",),
        },
        created=("Create Date",),
        closed=("Close Date",),
        amount=("Amount",),
        deal_stage=("Deal Stage",),
    ),
    "salesforce": Preset(
        name="salesforce",
        channel=("Lead Source", "Opportunity Source"),
        stage_dates={"mql": ("MQL Date",), "sql": ("SQL Date",)},
        created=("Created Date",),
        closed=("Close Date",),
        amount=("Amount",),
        deal_stage=("Stage",),
        won=("Won",),
    ),
}
