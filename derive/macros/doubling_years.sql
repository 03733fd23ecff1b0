-- doubling_years(slope): the years an exponential trend takes to double (negative: to halve).
-- Grain: scalar macro (one value per fit).
-- Inputs: a fit's slope_log10_per_year (efficiency_trend_fits, model_trends, mlperf_best_per_round).
-- Formula: log10(2) / slope: the trend is 10^(intercept + slope * year), so it doubles when
--   slope * years = log10(2).
-- Why: the one place the doubling time is written; every view that reports one calls this macro.
create macro doubling_years(slope) as log10(2) / slope
