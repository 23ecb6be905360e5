"""Fixtures for running attribution on every engine: one Spark session for the whole run.

Spark runs in local mode. It must start: a machine without Java fails these tests (``make test``
installs Java first, see ``.ci/ensure-java``); they are never skipped.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from xl_funnel.attribution import ENGINES


@pytest.fixture(scope="session")
def spark():
    from xl_funnel.attribution.engines import spark_session

    try:
        return spark_session("local[2]")
    except Exception as error:  # a missing Java shows up as one of several error types
        pytest.fail(f"Spark cannot start in local mode (is Java installed?): {error}")


@pytest.fixture(params=ENGINES)
def engine(request):
    """Each engine in turn; Spark's session is started once and shared."""
    if request.param == "spark":
        request.getfixturevalue("spark")
    return request.param


def generated_touches(count: int, seed: int = 0, channels: int = 8) -> pd.DataFrame:
    """``count`` touches, about five a journey, over 90 days; 30 % of journeys convert.

    Times are whole days, so many touches of a journey share a time (the table's order
    decides); a journey can repeat a channel and carry several stage markers.
    """
    rng = np.random.default_rng(seed)
    journeys = max(count // 5, 1)
    journey = np.sort(rng.integers(0, journeys, count))
    names = np.array([f"Channel {i:02d}" for i in range(channels)], dtype=object)
    markers = np.array(
        ["", "", "", "", "lead created", "opportunity created", "first touch"], dtype=object
    )
    worth = np.where(rng.random(journeys) < 0.3, rng.integers(1, 100, journeys) * 1000.0, 0.0)
    return pd.DataFrame(
        {
            "journey": journey,
            "time": pd.Timestamp("2026-01-01")
            + pd.to_timedelta(rng.integers(0, 90, count), unit="D"),
            "channel": names[rng.integers(0, channels, count)],
            "stage": markers[rng.integers(0, len(markers), count)],
            "revenue": worth[journey],
        }
    )
