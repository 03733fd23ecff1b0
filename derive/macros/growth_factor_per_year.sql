-- growth_factor_per_year(slope): how many times an exponential trend grows in one year.
-- Grain: scalar macro (one value per fit).
-- Inputs: a fit's slope_log10_per_year (efficiency_trend_fits, model_trends).
-- Formula: 10^slope: the trend is 10^(intercept + slope * year).
-- Why: the one place the yearly growth factor is written; every view that reports one calls this macro.
create macro growth_factor_per_year(slope) as power(10, slope)
