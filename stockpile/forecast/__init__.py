"""Demand forecasts, stock projections and scarcity flags."""
