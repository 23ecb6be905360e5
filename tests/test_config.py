"""Plan configuration: the example, TOML round trips, and every problem reported at once."""

from __future__ import annotations

import dataclasses
import textwrap
import tomllib

import pytest

from xl_funnel.errors import FunnelError
from xl_funnel.plan import (
    Channel,
    ConfigError,
    PlanConfig,
    config_toml,
    example_config,
    load_config,
    parse_config,
)


def problems(text: str) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        parse_config(textwrap.dedent(text), "plan.toml")
    assert str(caught.value).splitlines() == [f"plan.toml: {p}" for p in caught.value.problems]
    return caught.value.problems


VALID = """
[plan]
company = "Acme"
fiscal_year = 2027

[revenue]
history = [8_000_000, 10_000_000]
new_revenue_share = 0.4
avg_deal_size = 50_000

[funnel]
stages = ["Leads", "MQLs", "Customers"]
rates = [0.25, 0.1]

[[channels]]
name = "Email"
budget = 10_000
lead_share = 0.6

[[channels]]
name = "Events"
budget = 30_000
lead_share = 0.4
mql_rate = 0.5
"""


def test_example_is_seed_000():
    config = example_config()
    assert config.stage_names == ("Visits", "Leads", "MQLs", "SQLs", "Opportunities", "Customers")
    assert config.stage_rates == (0.015, 0.2, 0.2, 0.4, 0.5)
    assert config.avg_deal_size == 1_100_000
    assert 4 <= len(config.channels) <= 6
    assert len(config.revenue_history) == 3
    assert config.lead_stage == "Leads"
    assert sum(c.lead_share for c in config.channels) == pytest.approx(1)
    # The channels' own lead → MQL rates average the plan's 20 %, weighted by lead share,
    # so the channel mix brings the plan's customers (Plan ROI is the plan's ROI).
    mix = sum(c.lead_share * (c.mql_rate or config.stage_rates[1]) for c in config.channels)
    assert mix == pytest.approx(0.2, abs=1e-15)


@pytest.mark.parametrize(
    ("step", "problem"),
    [
        (5, "got 5 (did you mean 0.05, i.e. 5 points?)"),
        (1.5, "got 1.5 (did you mean 0.015, i.e. 1.5 points?)"),
        (-0.01, "got -0.01"),
        ('"1 %"', "got '1 %'"),
    ],
)
def test_sensitivity_step_is_rate_points(step, problem):
    found = problems(VALID + f"\n[dashboard]\nsensitivity_step = {step}\n")
    assert found == [
        "dashboard.sensitivity_step: must be rate points from more than 0 to 1 "
        f"(0.01 = one point), {problem}"
    ]
    assert parse_config(VALID + "\n[dashboard]\nsensitivity_step = 1\n").sensitivity_step == 1


def test_minimal_config_gets_defaults():
    config = parse_config(VALID)
    assert config.company == "Acme"
    assert config.seasonality == (1.0,) * 12
    assert config.sales_cycle_months == 0
    assert config.growth_method == "mean"
    assert config.growth_uplift == 0.05
    assert config.first_month == 1
    # With no visits stage above, the leads are the first stage.
    assert config.lead_stage == "Leads"
    assert config.channels[1] == Channel("Events", 30_000, 0.4, 0.5)
    # The older budget key is a fixed yearly cost: old files keep their budgets.
    assert (config.channels[1].fixed, config.channels[1].unit_cost) == (30_000, 0)
    assert config.channels[0].mql_rate is None


@pytest.mark.parametrize(
    "config",
    [
        example_config(),
        parse_config(VALID),
        dataclasses.replace(
            example_config(),
            company='Quote " and \\ back\nslash =HYPERLINK("x")',
            new_revenue_goal=10_000_000.0,
            sales_cycle_months=2.5,
            seasonality=(0.5, 1, 1, 1.25, 1, 1, 0.75, 0.5, 1, 1.5, 1.25, 1.0),
            growth_method="cagr",
        ),
        dataclasses.replace(
            example_config(),
            stage_lags=(0.0, 0.5, 0.25, 1.0, 1.5),
            customer_base=167.0,
            referrals_per_customer=0.02,
            referral_entry_stage="Opportunities",
            referral_close_rate=0.5,
            sensitivity_step=0.05,
        ),
    ],
)
def test_print_config_round_trips(config):
    text = config_toml(config)
    assert parse_config(text) == config
    assert text.startswith("# xl-funnel annual plan configuration")
    # Every key in the printed file is commented (a line of help right above it or the header).
    assert "# Twelve relative weights" in text
    assert "# Referrals each customer brings per month" in text
    assert "# Rate points added to each rate in the lever table" in text
    assert "achievable_rates = " in text
    data = tomllib.loads(text)
    assert set(data) - {"pipeline"} == {
        "sales",
        "budget",
        "calendar",
        "plan",
        "revenue",
        "funnel",
        "flywheel",
        "tracking",
        "dashboard",
        "channels",
    }
    assert ("cap" in data["budget"]) == (config.budget_cap is not None)
    # Optional keys left out are shown commented, with an example value.
    if config.stage_lags is None:
        assert "# stage_lags = [" in text


def test_load_config_reads_a_file(tmp_path):
    path = tmp_path / "plan.toml"
    path.write_text(VALID, encoding="utf-8")
    assert load_config(path) == parse_config(VALID)


def test_load_config_names_the_file_when_unreadable(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "missing.toml")
    assert str(caught.value).startswith(f"{tmp_path / 'missing.toml'}: cannot read the file")


def test_not_toml_is_one_problem():
    found = problems("[plan\ncompany = 'x'")
    assert len(found) == 1
    assert found[0].startswith("not valid TOML: ")


@pytest.mark.parametrize(
    ("rates", "first", "comma"),
    [
        ("[0,25, 0,015]", "not valid TOML: ", "0,25"),  # TOML refuses "015" (a leading 0)
        ("[0.25, 0,5]", "funnel.rates[1]: must be a fraction", "0,5"),  # two numbers: 0 and 5
    ],
)
def test_a_decimal_comma_is_named_with_its_line(rates, first, comma):
    text = VALID.replace("rates = [0.25, 0.1]", f"rates = {rates}  # 1,2 here")
    line = textwrap.dedent(text).splitlines().index(f"rates = {rates}  # 1,2 here") + 1
    found = problems(text)
    assert found[0].startswith(first)
    decimal = comma.replace(",", ".")
    assert found[-1].startswith(f"line {line}: ")
    said = f"{comma!r} reads as several numbers in TOML: write {decimal} for a decimal"
    assert any(said in problem for problem in found)
    assert found[-1].endswith(" for a decimal")
    assert not any("'1,2'" in problem for problem in found)  # the comment's


@pytest.mark.parametrize(
    ("line", "hint"),
    [
        (
            "budget_cap = 1,200,000",
            "'1,200,000' reads as several numbers in TOML: write 1_200_000 for thousands",
        ),
        (
            "x = [1,680, 2]",
            "'1,680' reads as several numbers in TOML: write 1_680 for thousands, 1.680 for a "
            "decimal",
        ),
        ("x = [0,2, 0,2, 0,4]", "'0,2' reads as several numbers in TOML: write 0.2 for a decimal"),
    ],
)
def test_thousands_and_decimals_written_with_commas_get_both_readings(line, hint):
    found = problems(VALID.replace('company = "Acme"', f'company = "Acme"\n{line}'))
    hints = [problem for problem in found if "several numbers" in problem]
    assert hints[0].endswith(hint)
    assert len(hints) == len({hint.split("'")[1] for hint in hints})  # each number once


def test_no_hint_inside_strings_dates_or_multi_line_strings():
    text = VALID.replace(
        'company = "Acme"',
        'company = """Acme\n1,5, 2"""\nwhen = 2027-01-01\nnote = \'a 1,5, b\'\nrates_x = 1',
    )
    found = problems(text)
    assert not any("several numbers" in problem for problem in found)


def test_a_list_of_whole_numbers_gets_no_decimal_comma_hint():
    text = VALID.replace('company = "Acme"', 'company = "Acme 1,5"\nextra = [1,2]')
    found = problems(text.replace("rates = [0.25, 0.1]", "rates = [0.25, 0]"))
    assert found[-1] == "funnel.rates[1]: must be a fraction from more than 0 to 1, got 0"
    assert not any("several numbers" in problem for problem in found)


def test_all_problems_at_once_with_key_paths():
    found = problems(
        """
        extra = 1
        [plan]
        compnay = "Acme"
        fiscal_year = "2027"
        first_month = 13
        [revenue]
        history = [8e6, -5]
        growth_method = "median"
        new_revenue_share = 40
        avg_deal_size = 0
        [funnel]
        stages = ["Leads", "MQLs", "Customers"]
        rates = [0.25, true]
        lead_stage = "Customers"
        sales_cycle_months = -1
        seasonality = [1, 1, 1]
        stage_lags = [0.5, -2]
        [flywheel]
        customer_base = -3
        referals_per_customer = 0.1
        entry_stage = "Trials"
        referral_close_rate = 1.5
        [tracking]
        spend_flag_ratio = 0.5
        [dashboard]
        sensitivity_step = 0
        [[channels]]
        name = "Email"
        budget = -5
        lead_share = 0.5
        colour = "red"
        [[channels]]
        name = "email"
        budget = "lots"
        lead_share = 0.2
        """
    )
    assert found == [
        "extra: unknown key; known: plan, revenue, funnel, flywheel, tracking, dashboard, "
        "sales, budget, calendar, pipeline, channels",
        "plan.compnay: unknown key (did you mean 'company'?)",
        "plan.company: missing",
        "plan.fiscal_year: must be a whole year from 1900 to 9999, got '2027'",
        "plan.first_month: must be a whole month number from 1 to 12, got 13",
        "revenue.history[1]: must be a positive number, got -5",
        "revenue.growth_method: must be 'mean' or 'cagr', got 'median'",
        "revenue.new_revenue_share: is 40: a rate is a fraction; did you mean 0.4 (40 %)?",
        "revenue.avg_deal_size: must be a positive number, got 0",
        "funnel.rates[1]: must be a fraction from more than 0 to 1, got True",
        "funnel.lead_stage: cannot be the last stage: channels bring leads",
        "funnel.sales_cycle_months: must be a number of months from 0 to 24, got -1",
        "funnel.stage_lags[1]: must be a number of months from 0 to 24, got -2",
        "funnel.seasonality: must list 12 monthly weights, got 3",
        "flywheel.referals_per_customer: unknown key (did you mean 'referrals_per_customer'?)",
        "flywheel.customer_base: must be a number of customers, 0 or more, got -3",
        "flywheel.entry_stage: 'Trials' is not one of the stages ['Leads', 'MQLs', 'Customers']",
        "flywheel.referral_close_rate: is 1.5: a rate is a fraction; did you mean 0.015 (1.5 %)?",
        "tracking.spend_flag_ratio: must be a multiple from 1 to 100, got 0.5",
        "dashboard.sensitivity_step: must be rate points from more than 0 to 1 "
        "(0.01 = one point), got 0",
        "channels[0].colour: unknown key; known: name, lead_share, entry_stage, mql_rate, "
        "cost_per_unit, fixed_cost, budget",
        "channels[0].budget: must be an amount of money, 0 or more, got -5",
        "channels[1].name: 'email' is also channels[0]: names differ",
        "channels[1].budget: must be an amount of money, 0 or more, got 'lots'",
        "channels: lead_share values sum to 0.7 (70 %): they must sum to 1 (100 %)",
    ]


def test_rates_and_stages_must_fit():
    found = problems(VALID.replace("rates = [0.25, 0.1]", "rates = [0.25, 0.1, 0.5]"))
    assert found == [
        "funnel.rates: has 3 rates for 3 stages: give one rate per step between stages, 2 in all"
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ("seasonality", "seasonality = [0,0,0,0,0,0,0,0,0,0,0,0]"),
            "funnel.seasonality: weights sum to 0: at least one month needs weight",
        ),
        (
            ("seasonality", "seasonality = [1,1,1,1,1,1,1,1,1,1,1,-1]"),
            "funnel.seasonality[11]: must be a weight of 0 or more, got -1",
        ),
        (
            ("stages", 'stages = ["Leads", "leads", "Customers"]'),
            "funnel.stages[1]: 'leads' appears twice: names must differ",
        ),
        (
            ("stages", 'stages = ["Leads", "", "Customers"]'),
            "funnel.stages[1]: must not be empty",
        ),
        (
            ("lead_stage", 'lead_stage = "Trials"'),
            "funnel.lead_stage: 'Trials' is not one of the stages ['Leads', 'MQLs', 'Customers']",
        ),
        (
            ("rates", "rates = [0.25, 0]"),
            "funnel.rates[1]: must be a fraction from more than 0 to 1, got 0",
        ),
    ],
)
def test_funnel_problems(change, problem):
    key, line = change
    text = VALID
    if key in ("seasonality", "lead_stage"):
        text = text.replace("rates = [0.25, 0.1]", "rates = [0.25, 0.1]\n" + line)
    else:
        text = "\n".join(line if row.startswith(f"{key} =") else row for row in text.splitlines())
    assert problems(text) == [problem]


@pytest.mark.parametrize(
    ("lines", "problem"),
    [
        (
            "stage_lags = [1]",
            "funnel.stage_lags: has 1 lags for 2 rates: give one lag per step between stages "
            "(0 where the next stage follows in the same month)",
        ),
        (
            "stage_lags = [0, 1.5]\nsales_cycle_months = 2",
            "funnel.stage_lags: give either stage_lags or sales_cycle_months, not both (the "
            "cycle is the shorthand for lags of 0, …, 0, cycle)",
        ),
        (
            "stage_lags = [12.5, 12]",
            "funnel.stage_lags: reach back 25 months in all (Σ of each lag rounded up): at most 24",
        ),
        ("stage_lags = 3", "funnel.stage_lags: must be a list, got 3"),
    ],
)
def test_stage_lag_problems(lines, problem):
    text = VALID.replace("rates = [0.25, 0.1]", "rates = [0.25, 0.1]\n" + lines)
    assert problems(text) == [problem]


def test_stage_lags_and_flywheel_are_read():
    text = VALID.replace("rates = [0.25, 0.1]", "rates = [0.25, 0.1]\nstage_lags = [0.5, 1.25]")
    text += "\n[flywheel]\ncustomer_base = 40\nreferrals_per_customer = 0.05\n"
    config = parse_config(text)
    assert config.stage_lags == (0.5, 1.25)
    assert config.lags == (0.5, 1.25)
    assert config.lead_months == 3  # ⌈0.5⌉ + ⌈1.25⌉, as schedule.lead_months
    assert (config.customer_base, config.referrals_per_customer) == (40, 0.05)
    # Defaults: referrals enter at the lead stage and convert at the funnel's rates.
    assert config.referral_entry_stage == "Leads"
    assert config.referral_close_rate is None
    assert config.sensitivity_step == 0.01  # one percentage point
    # The sales cycle is the shorthand for lags (0, …, 0, cycle).
    cycle = parse_config(
        VALID.replace("rates = [0.25, 0.1]", "rates = [0.25, 0.1]\nsales_cycle_months = 2.5")
    )
    assert cycle.lags == (0.0, 2.5)
    assert cycle.lead_months == 3


def test_growth_uplift_that_leaves_no_revenue_is_refused():
    text = VALID.replace(
        "history = [8_000_000, 10_000_000]", "history = [8e6, 1e6]\ngrowth_uplift = -0.2"
    )
    found = problems(text)
    assert found == [
        "revenue.growth_uplift: with this history growth + uplift is -1.075: growth of -100 % "
        "or less leaves no revenue"
    ]


def test_missing_tables_are_named():
    assert problems("") == [
        "plan: missing table [plan]",
        "plan.company: missing",
        "plan.fiscal_year: missing (e.g. fiscal_year = 2027)",
        "revenue: missing table [revenue]",
        "funnel: missing table [funnel]",
        "channels: missing: list at least one [[channels]] table",
    ]


def test_lead_shares_within_tolerance_are_accepted():
    text = VALID.replace("lead_share = 0.6", "lead_share = 0.598")
    assert parse_config(text).channels[0].lead_share == 0.598


def test_direct_construction_is_validated_too():
    with pytest.raises(ConfigError) as caught:
        dataclasses.replace(example_config(), stage_rates=(0.015, 0.2, 0.2, 0.4, 1.5))
    assert caught.value.problems == [
        "funnel.rates[4]: is 1.5: a rate is a fraction; did you mean 0.015 (1.5 %)?"
    ]
    assert isinstance(caught.value, FunnelError)
    assert isinstance(caught.value, ValueError)


def test_to_dict_is_the_toml_structure():
    data = example_config().to_dict()
    assert PlanConfig.from_dict(data) == example_config()
    assert tomllib.loads(config_toml(example_config()))["channels"] == data["channels"]


def test_new_keys_default_and_are_checked_with_their_path():
    """A config of the previous version builds (every new key defaults); bad values name
    the key path."""
    config = parse_config(VALID)
    assert config.whole_units is True
    assert (config.start_arr, config.gross_churn, config.expansion) == (None, 0.0, 0.0)
    assert (config.budget_cap, config.pipeline, config.next_year_growth) == (None, (), None)
    assert config.pipeline_coverage == 3.0
    assert config.currency == "USD"
    found = problems(
        VALID.replace("avg_deal_size = 50_000", "avg_deal_size = 50_000\ngross_churn = 12")
        .replace("[funnel]", "[budget]\ncap = -1\n[sales]\nramped_reps = 3\n[funnel]")
        .replace('company = "Acme"', 'company = "Acme"\nwhole_units = 1\ncurrency = 5')
        + '\n[[pipeline]]\nstage = "Customers"\ncount = 2\nmonths = [13]\n'
        + "\n[calendar]\nnext_year_growth = -2\n"
    )
    assert found == [
        "plan.currency: must be text, got 5",
        "revenue.gross_churn: is 12: a rate is a fraction; did you mean 0.12 (12 %)?",
        "sales: give ramped_reps and quota together (capacity = reps × quota)",
        "budget.cap: must be an amount of money, 0 or more, got -1",
        "calendar.next_year_growth: must be a growth rate from above -1 to 10 (0.25 = 25 %), "
        "got -2",
        "pipeline[0].stage: cannot be the customers: list open pipeline",
        "pipeline[0].months: must list fiscal months from 1 to 12 (e.g. [1, 2]), got [13]",
        "plan.whole_units: must be true or false, got 1",
    ]
