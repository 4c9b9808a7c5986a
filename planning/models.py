"""Stored forecasts (issue 22): made each night by `planning.services.forecasts_refresh`, read by
the planning page and the forecast and staffing APIs. Only the service writes these rows."""

from django.db import models

from core.models import ChannelCode, Service


class ForecastRun(models.Model):
    """One forecast of every service and channel, made from the contacts up to
    `history_to_date` (the day before it was made). At most one per history day: a second run on
    the same day replaces the first."""

    made_at = models.DateTimeField()
    history_from_date = models.DateField()
    history_to_date = models.DateField()
    # A hash of the daily history it was made from: an unchanged history is not forecast again.
    history_fingerprint = models.CharField(max_length=64)
    first_date = models.DateField(help_text="The first day forecast (the day it was made).")
    daily_to_date = models.DateField(help_text="The last day of the forecast by day.")
    interval_to_date = models.DateField(help_text="The last day of the forecast by half hour.")
    backtest_from_date = models.DateField(null=True, blank=True)
    backtest_to_date = models.DateField(null=True, blank=True)
    profile_from_date = models.DateField(
        help_text="The half-hour patterns and handling times come from the contacts since this day.")
    seconds = models.FloatField(help_text="How long the forecast took to make.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["history_to_date"], name="forecast_run_per_history_day"),
        ]

    def __str__(self) -> str:
        return f"Forecast from contacts up to {self.history_to_date}"


class ForecastSeries(models.Model):
    """The forecast of one service and channel in a run, with how it was made."""

    class Method(models.TextChoices):
        REGRESSION = "regression", "Seasonal regression"
        WEEKDAY_AVERAGE = "weekday_average", "Average of the last four of each weekday"
        NONE = "none", "No contacts in the history"

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="series")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=20, choices=ChannelCode.choices)
    method = models.CharField(max_length=20, choices=Method.choices)
    working_days_only = models.BooleanField(
        help_text="No contacts on non-working days in the history: none forecast on them.")
    history_contacts = models.BigIntegerField()
    # The average recorded handling time of the recent contacts (None when none was recorded),
    # and how many contacts it is the average of.
    handling_time_seconds = models.FloatField(null=True, blank=True)
    handling_time_contacts = models.IntegerField(default=0)
    # {NI14 reason code: its share of the series' contacts over the last year}, for the what-if.
    reason_shares = models.JSONField(default=dict)
    # The backtest over the held-back weeks (None: too little history).
    backtest_contacts = models.IntegerField(null=True, blank=True)
    mape = models.FloatField(null=True, blank=True)
    mase = models.FloatField(null=True, blank=True)
    naive_mape = models.FloatField(null=True, blank=True)
    naive_mase = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "service", "channel"], name="forecast_series_key"),
        ]

    def __str__(self) -> str:
        return f"{self.service_id} {self.channel}"


class DailyForecast(models.Model):
    series = models.ForeignKey(ForecastSeries, on_delete=models.CASCADE, related_name="days")
    forecast_date = models.DateField()
    contacts = models.FloatField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "forecast_date"], name="daily_forecast_key"),
        ]

    def __str__(self) -> str:
        return f"{self.forecast_date}: {self.contacts:.1f}"


class IntervalForecast(models.Model):
    """A day's forecast by half hour: `contacts` is a list of 48 numbers, from 00:00 by the
    Europe/London clock (a half hour the clocks skip holds 0)."""

    series = models.ForeignKey(ForecastSeries, on_delete=models.CASCADE, related_name="intervals")
    forecast_date = models.DateField()
    contacts = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["series", "forecast_date"], name="interval_forecast_key"),
        ]

    def __str__(self) -> str:
        return f"{self.forecast_date} by half hour"


class ChannelBacktest(models.Model):
    """The backtest of a channel's forecast, every service added up."""

    run = models.ForeignKey(ForecastRun, on_delete=models.CASCADE, related_name="backtests")
    channel = models.CharField(max_length=20, choices=ChannelCode.choices)
    contacts = models.IntegerField()
    mape = models.FloatField(null=True, blank=True)
    mase = models.FloatField(null=True, blank=True)
    naive_mape = models.FloatField(null=True, blank=True)
    naive_mase = models.FloatField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "channel"], name="channel_backtest_key"),
        ]

    def __str__(self) -> str:
        return f"{self.channel}: MASE {self.mase}"
