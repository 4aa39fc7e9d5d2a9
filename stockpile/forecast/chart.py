"""The item page's chart: two panels drawn by matplotlib as SVG on the server, and the table with the same numbers.

Panel one shows the demand history and the forecast with its 80 % interval; panel two the projected stock, central
and pessimistic, with the safety stock, the end of the lead time, expected deliveries and the units lost as lots
pass their last pick day. matplotlib is imported here only, when a chart is drawn: the web app starts without it.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask_babel import gettext as _

from stockpile.forecast.outlook import ItemOutlook

if TYPE_CHECKING:
    from matplotlib.axes import Axes

HISTORY_SHOWN_DAYS = 120
COLOURS = {"history": "#5a6270", "forecast": "#154273", "central": "#067647", "pessimistic": "#b42318",
           "safety": "#b54708", "delivery": "#1570ef", "expiry": "#7a2e0e", "today": "#1b1f23"}


@dataclass(frozen=True)
class ChartRow:
    """One day of the table below the chart."""

    day: dt.date
    demand: float | None
    forecast: float | None
    lower: float | None
    upper: float | None
    central: float | None
    pessimistic: float | None
    probability: float | None
    delivered: int
    expiring: float


def chart_rows(outlook: ItemOutlook, history: list[tuple[dt.date, float]]) -> list[ChartRow]:
    """The numbers of both panels, one row per day: history first, then the projection's days."""
    rows = [ChartRow(day, value, None, None, None, None, None, None, 0, 0.0) for day, value in history]
    forecast, projection = outlook.forecast, outlook.projection
    if forecast is None or projection is None:
        return rows
    delivered = _deliveries(outlook)
    expiring = _expiries(outlook)
    factor = outlook.factor
    for i, day in enumerate(projection.days):
        rows.append(ChartRow(day, None, forecast.yhat[i] * factor, forecast.lower[i] * factor,
                             forecast.upper[i] * factor, projection.central[i], projection.pessimistic[i],
                             projection.probability[i], delivered.get(day, 0), expiring.get(day, 0.0)))
    return rows


def _deliveries(outlook: ItemOutlook) -> dict[dt.date, int]:
    delivered: dict[dt.date, int] = {}
    for day, quantity in outlook.deliveries:
        delivered[day] = delivered.get(day, 0) + quantity
    return delivered


def _expiries(outlook: ItemOutlook) -> dict[dt.date, float]:
    """Units lost per day on the central path: what each lot still holds after its last pick day."""
    assert outlook.projection is not None
    last_pick = {lot.lot_id: lot.last_pick_day for lot in outlook.lots}
    lost: dict[dt.date, float] = {}
    for lot_id, units in outlook.projection.waste.items():
        if units > 0 and lot_id in last_pick:
            day = last_pick[lot_id] + dt.timedelta(days=1)
            lost[day] = lost.get(day, 0.0) + units
    return lost


def chart_svg_data_uri(outlook: ItemOutlook, rows: list[ChartRow]) -> str:
    """The chart as an SVG data URI for an <img>: the page's CSP forbids inline styles, an image's are its own."""
    svg = draw_chart(outlook, rows)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def draw_chart(outlook: ItemOutlook, rows: list[ChartRow]) -> str:
    """Both panels as an SVG document."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "stockpile", "font.size": 9}):
        figure = Figure(figsize=(9, 6.4), layout="constrained")
        demand_axes, stock_axes = figure.subplots(2, 1, sharex=True)
        _demand_panel(demand_axes, outlook, rows)
        _stock_panel(stock_axes, outlook, rows)
        _date_axis(stock_axes)
        buffer = io.StringIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def _x(days: list[dt.date]) -> list[float]:
    """Dates as matplotlib's day numbers."""
    from matplotlib.dates import date2num

    return [float(v) for v in date2num(days)]  # type: ignore[no-untyped-call]


def _y(values: list[float | None]) -> list[float]:
    return [v if v is not None else float("nan") for v in values]


def _demand_panel(axes: Axes, outlook: ItemOutlook, rows: list[ChartRow]) -> None:
    past = [r for r in rows if r.demand is not None]
    ahead = [r for r in rows if r.forecast is not None]
    axes.step(_x([r.day for r in past]), _y([r.demand for r in past]), where="mid", color=COLOURS["history"],
              linewidth=1, label=_("Demand (history)"))
    if ahead:
        days = _x([r.day for r in ahead])
        axes.fill_between(days, _y([r.lower for r in ahead]), _y([r.upper for r in ahead]),
                          color=COLOURS["forecast"], alpha=0.25, linewidth=0, label=_("80 % interval of the forecast"))
        axes.plot(days, _y([r.forecast for r in ahead]), color=COLOURS["forecast"], linewidth=1.5,
                  label=_("Forecast demand"))
    _today(axes, outlook)
    axes.set_title(_("Demand per day: history and forecast"), loc="left")
    axes.set_ylabel(_("%(unit)s per day", unit=outlook.item.unit_of_issue))
    axes.set_ylim(bottom=0)
    axes.legend(loc="upper left", fontsize=8)
    axes.grid(alpha=0.3)


def _stock_panel(axes: Axes, outlook: ItemOutlook, rows: list[ChartRow]) -> None:
    ahead = [r for r in rows if r.central is not None]
    projection = outlook.projection
    unit = outlook.item.unit_of_issue
    axes.set_title(_("Projected stock"), loc="left")
    axes.set_ylabel(_("%(unit)s in stock", unit=unit))
    if not ahead or projection is None:
        axes.text(0.5, 0.5, _("No stored forecast yet."), transform=axes.transAxes, ha="center")
        return
    days = _x([r.day for r in ahead])
    axes.plot(days, _y([r.central for r in ahead]), color=COLOURS["central"], linewidth=2, label=_("Central"))
    axes.plot(days, _y([r.pessimistic for r in ahead]), color=COLOURS["pessimistic"], linewidth=2, linestyle="--",
              label=_("Pessimistic (1 in 10)"))
    if projection.safety_stock > 0:
        axes.axhline(projection.safety_stock, color=COLOURS["safety"], linestyle=":", linewidth=1.5,
                     label=_("Safety stock"))
    axes.axhline(0, color="#98a2b3", linewidth=0.8)
    lead_end = outlook.today + dt.timedelta(days=outlook.lead_time_days)
    axes.axvline(_x([lead_end])[0], color=COLOURS["safety"], linewidth=1.2, label=_("End of the lead time"))
    _events(axes, ahead)
    _today(axes, outlook)
    axes.legend(loc="upper right", fontsize=8)
    axes.grid(alpha=0.3)


def _events(axes: Axes, rows: list[ChartRow]) -> None:
    """Deliveries and expiries as markers on the central line, with their quantities."""
    delivered = [r for r in rows if r.delivered]
    expired = [r for r in rows if r.expiring > 0.5]
    if delivered:
        axes.scatter(_x([r.day for r in delivered]), _y([r.central for r in delivered]), marker="^", s=60,
                     color=COLOURS["delivery"], zorder=3, label=_("Expected delivery"))
        for r in delivered:
            axes.annotate(f"+{r.delivered:,}", (_x([r.day])[0], r.central or 0.0), textcoords="offset points",
                          xytext=(4, 6), fontsize=7, color=COLOURS["delivery"])
    if expired:
        axes.scatter(_x([r.day for r in expired]), _y([r.central for r in expired]), marker="v", s=50,
                     color=COLOURS["expiry"], zorder=3, label=_("Units lost at the last pick day"))
        for r in expired:
            axes.annotate(f"-{round(r.expiring):,}", (_x([r.day])[0], r.central or 0.0), textcoords="offset points",
                          xytext=(4, -12), fontsize=7, color=COLOURS["expiry"])


def _today(axes: Axes, outlook: ItemOutlook) -> None:
    axes.axvline(_x([outlook.today])[0], color=COLOURS["today"], linewidth=0.8, linestyle="-.")


def _date_axis(axes: Axes) -> None:
    import matplotlib.dates as mdates

    locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_xlabel(_("Date"))
