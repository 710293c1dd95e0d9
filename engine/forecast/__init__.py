"""Demand forecasting and replenishment math: pure functions over numpy arrays (no I/O, no clock).

Series are rows of a float64 array [n_series, n_buckets] of units per bucket, oldest first,
with `start[i]` the index of series i's first observation.
"""
from .auto import choose_methods
from .methods import METHODS, SeriesForecast, forecast_many, forecast_series

__all__ = ["METHODS", "SeriesForecast", "choose_methods", "forecast_many", "forecast_series"]
