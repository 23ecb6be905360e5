"""A CRM export turned into the plan's monthly actuals (``xl-funnel actuals``).

Each row is a contact, lead, deal or opportunity. It counts, in the fiscal month of each date:

- one unit of every plan stage it has a date for (``Became an MQL Date`` for ``MQLs``);
- in a deals export (one with an amount column): one opportunity in the month it was created
  and one customer in the month a won deal closed, unless the export also dates those stages;
  its amount as pipeline created (created month) and, when won, as revenue (close month);
- per channel (its source matched to the plan's channel names, case and spacing ignored):
  units at the channel's entry stage, at the stage after the plan's lead stage (MQLs) and at
  the last stage (customers), revenue and pipeline.

The months written are those from the export's first to its last dated month within the fiscal
year: a month inside that span with no record gets 0, a month outside it stays as it was
(blank = not reported yet). Every block the export can speak for is written for those months:
a deals export with a won column speaks for customers and revenue even when nothing was won
(0 then, never the value an earlier import left). A date counts in its own local month (the
offset as written is kept: ``2027-01-31T23:30:00-05:00`` is January).
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, NamedTuple

from xl_funnel.io.crm_presets import PRESETS, STAGE_KEYS, Preset, stage_key
from xl_funnel.io.crm_values import closest_channel, footer_like, footer_words, won_value
from xl_funnel.io.dates import parse_dates
from xl_funnel.io.errors import TableError
from xl_funnel.io.numbers import parse_number
from xl_funnel.io.table import Field, Table, closest, normal, parse_mapping, read_table

__all__ = ["Actuals", "PlanShape", "closest_channel", "read_actuals"]


@dataclass(frozen=True)
class PlanShape:
    """What the plan's own defined names say: stages, channels, fiscal year, entry stages."""

    stages: tuple[str, ...]
    channels: tuple[str, ...]
    fiscal_start: dt.date
    lead_stage: str
    #: Each channel's entry stage (``ChannelEntryStages``); empty: the lead stage for all.
    entry_stages: tuple[str, ...] = ()

    def month(self, when: dt.datetime) -> int | None:
        """Fiscal month 0–11 of ``when``, or None outside the fiscal year."""
        index = (when.year - self.fiscal_start.year) * 12 + when.month - self.fiscal_start.month
        return index if 0 <= index < 12 else None

    def label(self, month: int) -> str:
        start = self.fiscal_start.year * 12 + self.fiscal_start.month - 1 + month
        return dt.date(start // 12, start % 12 + 1, 1).strftime("%b %Y")


@dataclass
class Actuals:
    """Monthly values per block (defined name) → row → fiscal month, and what was read."""

    values: dict[str, dict[int, dict[int, float]]] = field(default_factory=dict)
    #: Rows of each block the export informs (written for every covered month).
    rows: dict[str, set[int]] = field(default_factory=dict)
    months: range = range(0)
    used: int = 0
    skipped: Counter = field(default_factory=Counter)
    unknown: Counter = field(default_factory=Counter)
    #: Report footer lines at the end (totals, copyright, blank-ish), not records.
    footer: int = 0
    #: The first and last date seen outside the fiscal year, for the report.
    outside: list[dt.datetime] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)
    #: Headers not read that are spelled almost like a column it reads: header → that column.
    misspelled: dict[str, str] = field(default_factory=dict)
    #: The file (and sheet) read, for the report.
    source: str = ""

    def add(self, block: str, row: int, month: int, amount: float = 1.0) -> None:
        cells = self.values.setdefault(block, {}).setdefault(row, {})
        cells[month] = cells.get(month, 0.0) + amount

    def cells(self) -> dict[str, dict[tuple[int, int], float]]:
        """Block → (row, month) → value for every informed row and covered month."""
        return {
            block: {
                (row, month): self.values.get(block, {}).get(row, {}).get(month, 0.0)
                for row in sorted(rows)
                for month in self.months
            }
            for block, rows in self.rows.items()
            if rows
        }


def _fields(preset: Preset, shape: PlanShape) -> list[Field]:
    fields = [Field("channel", preset.channel)]
    for stage in shape.stages:
        key = stage_key(stage)
        aliases = (*preset.stage_dates.get(key, ()), *(STAGE_KEYS.get(key, ()) if key else ()))
        fields.append(Field(stage, tuple(a for a in aliases if normal(a) != normal(stage)), False))
    for name in ("created", "closed", "amount", "deal_stage", "won"):
        fields.append(Field(name, getattr(preset, name), required=False))
    return fields


def read_actuals(
    path: str | Path,
    shape: PlanShape,
    *,
    preset: str = "generic",
    columns: Sequence[str] = (),
    sheet: str | None = None,
    order: str | None = None,
    decimal: str = ".",
    channel_map: Sequence[str] = (),
) -> Actuals:
    """Read the export at ``path`` into monthly actuals for a plan of ``shape``.

    ``channel_map`` holds ``"EXPORT VALUE=PLAN CHANNEL"`` pairs (``--channel``) for sources
    named otherwise in the CRM. Raises :class:`~xl_funnel.io.TableError` naming file, row and
    column.
    """
    chosen = PRESETS[preset]
    fields = _fields(chosen, shape)
    mapping = parse_mapping(columns, fields)
    table = read_table(path, fields, mapping=mapping, sheet=sheet, what=f"{preset} export")
    result = Actuals(
        columns={name: table.header[i] for name, i in table.columns.items()},
        misspelled=_misspelled(table, fields),
        source=table.source,
    )
    result.footer = _drop_footer(table, [f.name for f in fields[1:] if f.name != "deal_stage"])
    aliases = _aliases(channel_map, shape.channels)
    # Every column is read before any problem is reported, so one run lists them all (a
    # European export: dates day first and a decimal comma, at once).
    problems: list[str] = []

    def read(parse: Callable[[], Any]) -> Any:
        try:
            return parse()
        except TableError as error:
            problems.append(str(error))
            return None

    dated = {
        i: read(partial(_dates, table, stage, order))
        for i, stage in enumerate(shape.stages)
        if stage in table.columns
    }
    deals = "amount" in table.columns
    if not dated and not deals:
        raise TableError(_no_columns(table, shape, chosen))
    columns = _DealColumns(None, None, None, None)
    if deals:
        columns = _DealColumns(
            read(partial(_won_flags, table, chosen)),
            read(partial(_dates, table, "created", order)) if "created" in table.columns else None,
            read(partial(_dates, table, "closed", order)) if "closed" in table.columns else None,
            read(partial(_amounts, table, decimal)),
        )
    if problems:  # each once: one column may feed two fields
        raise TableError("\n".join(dict.fromkeys(problems)))
    _count(table, shape, dated, columns, result, aliases)
    return result


class _DealColumns(NamedTuple):
    """A deals export's columns, read: won or not, created and closed dates, amounts."""

    won: list[bool] | None
    created: list[dt.datetime | None] | None
    closed: list[dt.datetime | None] | None
    amounts: list[float | None] | None


def _amounts(table: Table, decimal: str) -> list[float | None]:
    return [
        parse_number(v, decimal=decimal, where=table.where(i), label="amount")
        for i, v in enumerate(table.values("amount"))
    ]


def _misspelled(table: Table, fields: Sequence[Field]) -> dict[str, str]:
    """Headers left unread that name a column not found, a typo away (``amont`` for
    ``amount``, ``Laeds`` for ``Leads``) or with a date word around it (``Lead date``,
    ``Became a Lead Date``, ``MQL Datum``): their data would be dropped without a word."""
    wanted = {
        normal(spelling): item.name
        for item in fields
        if item.name not in table.columns
        for spelling in (item.name, *item.aliases)
    }
    read = set(table.columns.values())
    near = {}
    for index, header in enumerate(table.header):
        if index in read or not header or not normal(header):
            continue
        bare = " ".join(w for w in normal(header).split() if w not in _DATE_WORDS)
        # The stage's name alone first: "Lead date" is nearer "Close date" than "Leads".
        for text in dict.fromkeys((bare, normal(header))):
            match = closest(text, list(wanted), cutoff=0.8) if text else None
            if match is not None:
                near[header] = wanted[match]
                break
    return near


#: Words a CRM puts around a stage's name in its date column's header.
_DATE_WORDS = frozenset(
    [
        "date",
        "datum",
        "fecha",
        "data",
        "day",
        "time",
        "when",
        "on",
        "at",
        "became",
        "become",
        "a",
        "an",
        "the",
        "entered",
        "reached",
    ]
)


def _aliases(pairs: Sequence[str], channels: Sequence[str]) -> dict[str, int]:
    """``--channel "Email Marketing=Email nurture"`` → normalised export value → channel row."""
    aliases = {}
    for pair in pairs:
        value, sep, name = pair.partition("=")
        index = _channel_index(name.strip(), channels)
        if not sep or not value.strip() or index is None:
            near = closest_channel(name.strip(), channels) if sep else None
            hint = f"; did you mean {near!r}?" if near else f" (channels: {', '.join(channels)})"
            raise TableError(f"--channel {pair!r}: write EXPORT VALUE=PLAN CHANNEL{hint}")
        aliases[normal(value)] = index
    return aliases


def _found(table: Table) -> str:
    return "columns found: " + ", ".join(repr(h) for h in table.header if h)


def _no_columns(table: Table, shape: PlanShape, preset: Preset) -> str:
    """Why an export gives nothing to count, naming the headers the preset reads."""
    example = shape.stages[1 if len(shape.stages) > 1 else 0]
    mapping = f'or map a date column: --columns "{example}=HEADER"'
    if preset.name == "generic":
        wanted = ", ".join(shape.stages)
        return (
            f"{table.source}: no date column for any plan stage ({wanted}) and no amount "
            f"column ({_found(table)}); choose --preset hubspot or salesforce, {mapping}"
        )
    headers = [
        header
        for stage in shape.stages
        for header in preset.stage_dates.get(stage_key(stage) or "", ())
    ]
    named = ", ".join(f'"{h}"' for h in headers)
    if preset.name == "hubspot":
        needs = (
            'a HubSpot contacts export needs the "Became a … Date" properties of the plan\'s '
            f"stages ({named}): add them to the export's columns in HubSpot"
        )
    else:
        needs = (
            f"a Salesforce leads report needs the stage dates ({named}) or its created date "
            f'mapped: --columns {example}="Created Date"'
        )
    return (
        f"{table.source}: no stage date and no {preset.amount[0]!r} column ({_found(table)}): "
        f"{needs}; a deals export needs {preset.amount[0]!r}; {mapping}"
    )


def _drop_footer(table: Table, dated_fields: list[str]) -> int:
    """Remove the report's footer lines after its last record; return how many.

    A footer line is undated (no value in any column read as a date or amount) and reads as
    one (:func:`~xl_funnel.io.crm_values.footer_like`), at the end of the table.
    """
    columns = [table.columns[name] for name in dated_fields if name in table.columns]
    channel = table.columns.get("channel")
    count = 0
    for row in reversed(table.rows):
        values = [row[i] for i in columns if i < len(row) and str(row[i] or "").strip()]
        if not footer_like(row) or (values and not _totals(row) and _a_date(values[0])):
            break
        filled = [i for i, cell in enumerate(row) if cell is not None and str(cell).strip()]
        if filled == [channel] and not footer_words(str(row[channel])):
            break  # a record with a source and no date, not a footer
        count += 1
    if count:
        del table.rows[-count:], table.lines[-count:]
    return count


def _a_date(value: object) -> bool:
    """Whether the one value of a short row reads as a date (a record, not a footer)."""
    try:
        parse_dates([value], "", "dayfirst")
    except TableError:
        return False
    return True


def _totals(row: list) -> bool:
    """A totals line (it may carry a sum under the amount column, never a record)."""
    first = next((str(c).strip() for c in row if c is not None and str(c).strip()), "")
    return bool(re.match(r"(?i)(grand )?(sub)?totals?\b|summe|gesamt", first))


def _dates(table: Table, name: str, order: str | None) -> list[dt.datetime | None]:
    return parse_dates(
        table.values(name), repr(table.header[table.columns[name]]), order, table.where, local=True
    )


def _index(stages: Sequence[str], key: str) -> int | None:
    return next((i for i, stage in enumerate(stages) if stage_key(stage) == key), None)


def _channel_index(text: object, channels: Sequence[str]) -> int | None:
    wanted = normal(text or "")
    return next((i for i, name in enumerate(channels) if normal(name) == wanted), None)


def _won_flags(table: Table, preset: Preset) -> list[bool] | None:
    """Each row won or not, from the won column or the deal stage; None when neither is there.

    A won value not recognised (:func:`~xl_funnel.io.crm_values.won_value`) is refused, listing
    every such value and the row of the first.
    """
    if "won" in table.columns and table.columns["won"] != table.columns.get("deal_stage"):
        values = table.values("won")
        flags = [won_value(v) for v in values]
        unknown = [i for i, flag in enumerate(flags) if flag is None]
        if unknown:
            seen = list(dict.fromkeys(str(values[i]).strip() for i in unknown))
            shown = ", ".join(map(repr, seen[:10])) + (", …" if len(seen) > 10 else "")
            header = table.header[table.columns["won"]]
            stages = f"; if it holds deal stages, map it: --columns deal_stage={header!r}"
            raise TableError(
                f"{table.where(unknown[0])}: won column {header!r} holds {shown} "
                f"({len(unknown)} row{'s' if len(unknown) != 1 else ''}), not read as won or "
                "lost: write yes/no, true/false, 1/0 or won/lost (docs/data.md lists every "
                f"word read){stages if 'deal_stage' not in table.columns else ''}"
            )
        return [bool(flag) for flag in flags]
    if "deal_stage" in table.columns:
        return [
            re.sub(r"[\s_\-]+", " ", str(v or "")).strip().casefold() in preset.won_stages
            for v in table.values("deal_stage")
        ]
    return None


def _count(table, shape, dated, columns: _DealColumns, result: Actuals, aliases) -> None:
    stages, channels = shape.stages, shape.channels
    last = len(stages) - 1
    lead = stages.index(shape.lead_stage) if shape.lead_stage in stages else 0
    entries = [
        stages.index(s) if s in stages else lead
        for s in (shape.entry_stages or [shape.lead_stage] * len(channels))
    ]
    opportunity, customer = _index(stages, "opportunity"), _index(stages, "customer")
    deals = columns.amounts is not None
    won_flags, created, closed, amounts = columns
    channel_values = table.values("channel")
    months: list[int] = []
    result.rows["ActualVolumes"] = set(dated)
    for row in range(len(table.rows)):
        events: list[tuple[int, dt.datetime]] = [
            (i, dates[row]) for i, dates in dated.items() if dates[row] is not None
        ]
        money: list[tuple[str, dt.datetime, float]] = []
        if deals:
            won = bool(won_flags and won_flags[row])
            amount = amounts[row] or 0.0
            if amount < 0:
                raise TableError(f"{table.where(row)}: amount {amount:g} is negative")
            if created and created[row] is not None:
                money.append(("ActualChannelPipeline", created[row], amount))
                if opportunity is not None and opportunity not in dated:
                    events.append((opportunity, created[row]))
            if won and closed and closed[row] is not None:
                money.append(("ActualChannelRevenue", closed[row], amount))
                if customer is not None and customer not in dated:
                    events.append((customer, closed[row]))
        if not events and not money:
            result.skipped["no date in any stage or deal column"] += 1
            continue
        channel = aliases.get(normal(channel_values[row] or ""))
        if channel is None:
            channel = _channel_index(channel_values[row], channels)
        if channel is None:
            result.unknown[str(channel_values[row] or "").strip() or "(blank)"] += 1
        counted = False
        for stage, when in events:
            month = shape.month(when)
            if month is None:
                continue
            counted = True
            months.append(month)
            result.add("ActualVolumes", stage, month)
            result.rows["ActualVolumes"].add(stage)
            if channel is None:
                continue
            for block, target in (
                ("ActualChannelVolume", entries[channel]),
                ("ActualChannelMQLs", lead + 1),
                ("ActualChannelCustomers", last),
            ):
                if stage == target:
                    result.add(block, channel, month)
        for block, when, amount in money:
            month = shape.month(when)
            if month is None:
                continue
            counted = True
            months.append(month)
            if channel is not None:
                result.add(block, channel, month, amount)
        if counted:
            result.used += 1
        else:
            moments = [when for _, when in events] + [when for _, when, _ in money]
            result.outside = [min(result.outside + moments), max(result.outside + moments)]
            result.skipped[
                f"dated outside the fiscal year ({shape.label(0)}–{shape.label(11)})"
            ] += 1
    if months:
        result.months = range(min(months), max(months) + 1)
    # A deals export speaks for the stages it derives even in months with none of them: the
    # opportunities it created and the customers it won (0 when all were lost).
    if deals and created is not None and opportunity is not None:
        result.rows["ActualVolumes"].add(opportunity)
    if deals and closed is not None and won_flags is not None and customer is not None:
        result.rows["ActualVolumes"].add(customer)
    informed = set(result.rows["ActualVolumes"])
    everything = set(range(len(channels)))
    if any(entries[c] in informed for c in everything):
        result.rows["ActualChannelVolume"] = everything
    if lead + 1 in informed:
        result.rows["ActualChannelMQLs"] = everything
    if last in informed:
        result.rows["ActualChannelCustomers"] = everything
    if deals and created is not None:
        result.rows["ActualChannelPipeline"] = everything
    if deals and closed is not None and won_flags is not None:
        result.rows["ActualChannelRevenue"] = everything
