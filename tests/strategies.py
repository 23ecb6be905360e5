"""Hypothesis strategies for funnel inputs, shared by the property tests.

Property tests leave out subnormal floats (below 2.2e-308), where relative tolerances mean
nothing; tests/test_fuzz_cells.py feeds them, with every other hostile value, to every function.
"""

from __future__ import annotations

from hypothesis import strategies as st

#: Conversion rates a real funnel has: from 0.1 % (ads → visit) to 100 %.
rates_st = st.floats(min_value=1e-3, max_value=1.0, allow_nan=False, allow_infinity=False)
#: A funnel of 1 to 8 transitions.
funnel_st = st.lists(rates_st, min_size=1, max_size=8)
#: Bottom-of-funnel targets, from a fraction of a customer to a large enterprise's year.
target_st = st.floats(min_value=0.0, max_value=1e6, allow_nan=False, allow_subnormal=False)
money_st = st.floats(min_value=0.0, max_value=1e12, allow_nan=False, allow_subnormal=False)
positive_money_st = st.floats(min_value=1e-2, max_value=1e12, allow_nan=False)
periods_st = st.sampled_from([1, 2, 4, 12, 52])
