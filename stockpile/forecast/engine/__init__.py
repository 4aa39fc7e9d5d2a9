"""The forecast engine: pure forecasting, history in, forecast out; no database, no Flask.

Modules:

* `series`: validation and regularisation of a demand history (daily, weekly, monthly).
* `candidates`, `prophet_model`: the models (statsforecast's and a tuned Prophet).
* `selection`: the rolling-origin backtest that chooses a series' method and its parameters (`Selection`), never
  worse than seasonal naive.
* `calibration`: conformal daily intervals and the band of cumulative demand, from the backtest errors.
* `forecasting`: `forecast(history, horizon, selection=None)` forecasts one series (selecting first when no
  selection is given); `backtest(history, horizon)` gives every candidate's MASE.
* `jobs`: `SeriesJob` (one series to fit, with its selection in force) and `SeriesOutcome` (its forecast, a new
  selection, or its error).
* `bulk`: `fit_batch(jobs)` selects where needed, checks the others for drift and refits them in bulk.
* `pool`: `fit_all(jobs, workers, progress=None, should_stop=None, scheduler=None)` fits many series in worker
  processes, or on a Dask cluster (`dask_pool`) when a scheduler address is given.

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
