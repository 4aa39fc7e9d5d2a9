"""Coordinates for the item page's server-rendered SVG chart: history, forecast band, projections, markers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stockpile.forecast.outlook import Outlook

WIDTH, HEIGHT, PAD = 900, 320, 40


@dataclass(frozen=True)
class Chart:
    """Polyline point lists and marker x positions, in SVG user units."""

    history: str
    forecast: str
    band: str
    central: str
    pessimistic: str
    safety_y: float | None
    lead_x: float | None
    stockout_x: float | None
    today_x: float
    top_label: int
    width: int = WIDTH
    height: int = HEIGHT
    pad: int = PAD


def build_chart(outlook: Outlook) -> Chart:
    """Scale every series of an outlook onto one day axis and one quantity axis."""
    hist = [(ts.date(), float(v)) for ts, v in outlook.history.items()]
    pts = outlook.points
    proj = outlook.projection
    f = outlook.factor
    days = [d for d, _ in hist] + [p.day for p in pts] + (proj.days if proj else [])
    first, last = min(days, default=dt.date.today()), max(days, default=dt.date.today())
    values = [v for _, v in hist] + [p.yhat_upper * f for p in pts]
    values += (proj.central + proj.pessimistic + [proj.safety_stock]) if proj else []
    top, bottom = max([*values, 1.0]), min([*values, 0.0])
    span_days = max((last - first).days, 1)

    def x(day: dt.date) -> float:
        return round(PAD + (day - first).days / span_days * (WIDTH - 2 * PAD), 1)

    def y(value: float) -> float:
        return round(HEIGHT - PAD - (value - bottom) / (top - bottom) * (HEIGHT - 2 * PAD), 1)

    def line(pairs: list[tuple[dt.date, float]]) -> str:
        return " ".join(f"{x(d)},{y(v)}" for d, v in pairs)

    band = line([(p.day, p.yhat_upper * f) for p in pts]) + " " + line([(p.day, p.yhat_lower * f)
                                                                       for p in reversed(pts)])
    start = proj.start if proj else last
    return Chart(
        history=line(hist), forecast=line([(p.day, p.yhat * f) for p in pts]), band=band.strip(),
        central=line(list(zip(proj.days, proj.central, strict=True))) if proj else "",
        pessimistic=line(list(zip(proj.days, proj.pessimistic, strict=True))) if proj else "",
        safety_y=y(proj.safety_stock) if proj and proj.safety_stock > 0 else None,
        lead_x=x(start + dt.timedelta(days=outlook.item.lead_time_days)) if proj else None,
        stockout_x=x(proj.stockout_pessimistic) if proj and proj.stockout_pessimistic else None,
        today_x=x(start), top_label=round(top),
    )
