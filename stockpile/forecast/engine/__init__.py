"""The forecast engine: pure forecasting, history in, forecast out; no database, no Flask.

Modules:

* `series`: validation and regularisation of a demand history (daily, weekly, monthly).
* `candidates`, `prophet_model`: the models (statsforecast's and a tuned Prophet).
* `forecasting`: `forecast(history, horizon)` chooses a method by rolling-origin backtest and forecasts with it;
  `backtest(history, horizon)` gives every candidate's MASE.
* `jobs`: `SeriesJob` (one series to fit, plain data) and `SeriesOutcome` (its forecast or its error).
* `pool`: `fit_all(jobs, workers, progress=None, should_stop=None)` fits many series in worker processes.

Progress and stop callbacks (for the run lifecycle):

* `progress(done: int, total: int, phase: str) -> None` is called in the calling process with phase
  `pool.PHASE_FITTING` ("fitting"): once with done=0 before the first batch, then after every finished batch.
  The database half of a run (`stockpile.forecast.fitting`) reports `PHASE_READING` and `PHASE_WRITING` too.
* `should_stop() -> bool` is polled between batches (at least once a second while batches run). When it returns
  True, batches not yet started are dropped, running ones are let finish, and `pool.FitCancelled` (with `.done`
  and `.total`) is raised; nothing is returned, so nothing is written.

This package's `__init__` imports nothing heavy: importing a submodule such as `pool` or `jobs` pulls in pandas and
statsforecast only where the fitting code needs them.
"""
