"""Forecasts and replenishment suggestions, computed on the read side from the writer's daily
demand aggregate (units ordered and not cancelled, per sku and day) and the stock levels."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import numpy as np

from ..domain import limits
from ..domain.commands import Result
from ..domain.errors import Code, err
from ..forecast.adjustments import Adjustment
from ..forecast.replenishment import DailyForecast, ReorderRule, suggest
from ..forecast.sku_forecast import forecast_skus
from ..storage.store import REORDER_RULE_KEY
from .base import ReadBase, locations_in

# Days of demand history a forecast reads: two years hold two yearly seasons of weeks.
history_days = 728
EPOCH = date(1970, 1, 1)


class ForecastReads(ReadBase):
    def forecast(self, sku: str, location: str | None, horizon_days: int, method: str, bucket: str,
                 as_of: datetime | None) -> Result:
        errors: list = []
        _check_horizon(errors, horizon_days)
        if bucket == "HOUR":
            errors.append(err(Code.INVALID, "forecasts are by DAY, WEEK or MONTH", "bucket"))
        with self.txn() as r:
            if r.raw("products", sku.encode()) is None:
                errors.append(err(Code.NOT_FOUND, f"unknown sku {sku[:limits.key_chars_max]}", "sku"))
            if location is not None and r.raw("locations", location.encode()) is None:
                errors.append(err(Code.NOT_FOUND, f"unknown location {location[:limits.key_chars_max]}", "location"))
        if errors:
            return Result(None, errors)
        day = _day(as_of)
        [result] = self._forecasts([sku], day, horizon_days, method, bucket)
        return Result({"sku": sku, "location": location, "bucket": bucket, "forecast": result})

    def replenishment(self, location: str | None, skus: list[str] | None, lead_time_days: int, service_level: float,
                      horizon_days: int, as_of: datetime | None = None) -> Result:
        """Suggestions with a positive quantity for every stocked (sku, location), or those asked for."""
        errors: list = []
        _check_horizon(errors, horizon_days)
        if not 0 <= lead_time_days <= limits.lead_time_days_max:
            errors.append(err(Code.INVALID, f"leadTimeDays must be between 0 and {limits.lead_time_days_max}", "leadTimeDays"))
        if not 0 < service_level < 1:
            errors.append(err(Code.INVALID, "serviceLevel must be inside (0, 1), e.g. 0.95", "serviceLevel"))
        levels, rules = self._levels_and_rules(errors, location, skus)
        if errors:
            return Result(None, errors)
        day = _day(as_of)
        names = sorted({level["sku"] for level in levels})
        days = lead_time_days + horizon_days + limits.lead_time_days_max  # a rule's lead time may be longer
        forecasts = dict(zip(names, self._forecasts(names, day, days, "AUTO", "DAY")))
        out = []
        for level in levels:
            rule = rules.get((level["sku"], level["location"]))
            f = forecasts[level["sku"]]
            daily = DailyForecast(np.array([p.quantity for p in f.points]), f.sigma, f.intermittent, f.sizes)
            s = suggest(level["onHand"], level["committed"], level["incoming"], daily, day, lead_time_days, horizon_days,
                        service_level, rule)
            if s.suggested_quantity > 0:
                out.append({**level, "suggestion": s})
        return Result(out)

    def _forecasts(self, skus: list[str], day: date, horizon_days: int, method: str, bucket: str) -> list:
        first = day - timedelta(days=history_days)
        daily = np.zeros((len(skus), history_days), dtype=np.float64)
        for i, sku in enumerate(skus):
            daily[i] = self.daily_units(sku, (first - EPOCH).days, history_days)
        seen = daily > 0
        first_observed = np.where(seen.any(axis=1), seen.argmax(axis=1), history_days)
        adjustments = [Adjustment(a["sku"], datetime.fromisoformat(a["from"]), datetime.fromisoformat(a["to"]), a["factor"])
                       for a in self.forecast_adjustments()]
        return forecast_skus(daily, first, first_observed, skus, day, horizon_days, method, bucket, adjustments)

    def _levels_and_rules(self, errors: list, location: str | None, skus: list[str] | None):
        with self.txn() as r:
            if location is not None and r.raw("locations", location.encode()) is None:
                errors.append(err(Code.NOT_FOUND, f"unknown location {location[:limits.key_chars_max]}", "location"))
            for j, sku in enumerate(skus or []):
                if r.raw("products", sku.encode()) is None:
                    errors.append(err(Code.NOT_FOUND, f"unknown sku {sku[:limits.key_chars_max]}", "skus", j))
            if errors:
                return [], {}
            names = skus if skus is not None else [p["sku"] for p in (r.get("products", k) for k, _ in r.scan("products"))
                                                    if not p["components"]]
        levels = [level for sku in names for level in self.stock_levels_of(sku)
                  if location is None or level["location"] == location]
        rules = {}
        for level in levels:
            record = self.reorder_rule_of(level["sku"], level["location"])
            if record is not None:
                rules[(level["sku"], level["location"])] = ReorderRule(
                    record["minQuantity"], record["maxQuantity"], record["multiple"], record["minimumOrderQuantity"],
                    record["leadTimeDays"], record["supplier"])
        return levels, rules

    def reorder_rule_of(self, sku: str, location: str) -> dict | None:
        with self.txn() as r:
            product, place = r.get("products", sku.encode()), r.get("locations", location.encode())
            if product is None or place is None:
                return None
            return r.get("reorder_rules", REORDER_RULE_KEY.pack(product["idx"], place["idx"]))


def _check_horizon(errors: list, horizon_days: int) -> None:
    if not 1 <= horizon_days <= limits.forecast_horizon_days_max:
        errors.append(err(Code.INVALID, f"horizonDays must be between 1 and {limits.forecast_horizon_days_max}", "horizonDays"))


def _day(as_of: datetime | None) -> date:
    moment = datetime.now(timezone.utc) if as_of is None else as_of.astimezone(timezone.utc) if as_of.tzinfo else as_of
    return moment.date()
