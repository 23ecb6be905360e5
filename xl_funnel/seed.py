"""Seed article 000's worked example: the numbers every default and example starts from.

Goal $10M new revenue from inbound at a $1.1M average deal, and the funnel's conversion
rates visits→leads 1.5 %, leads→MQL 20 %, MQL→SQL 20 %, SQL→opportunity 40 %,
opportunity→customer 50 % (``000_23589bf1b62aec3e.txt``).
"""

from __future__ import annotations

__all__ = ["SEED_AVG_DEAL_SIZE", "SEED_NEW_REVENUE", "SEED_RATES", "SEED_STAGE_NAMES"]

SEED_STAGE_NAMES = ("Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers")
SEED_RATES = (0.015, 0.2, 0.2, 0.4, 0.5)
SEED_NEW_REVENUE = 10_000_000.0
SEED_AVG_DEAL_SIZE = 1_100_000.0
