-- trend_value(intercept, slope, d): the value of an exponential trend at a date.
-- Grain: scalar macro (one value per fit and date).
-- Inputs: a fit's intercept and slope_log10_per_year (efficiency_trend_fits, efficiency_trend,
--   model_trends) and a DATE.
-- Formula: 10^(intercept + slope * decimal_year(d)): the fits are least squares of log10(value)
--   on decimal_year(date), so this is the fitted line read back in the value's own unit.
-- Why: the one place the trend formula is written; every view (and the figures) that reads a
--   trend at a date calls this macro.
create macro trend_value(intercept, slope, d) as power(10, intercept + slope * decimal_year(d))
