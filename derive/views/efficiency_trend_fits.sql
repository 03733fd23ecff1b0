-- efficiency_trend_fits: the exponential trend of GPU efficiency (GFLOPS/W) over time, per row
--   set and domain: the paper's fit and the fit with the GPUs added after the paper.
-- Grain: one row per row set ('paper', 'all') and domain (cv, nlp).
-- Inputs: trend_fit_inputs.
-- Formula: least-squares fit of log10(gflops_per_watt) on decimal_year(launch_date)
--   (regr_slope / regr_intercept / regr_r2) over the row set's points, with unrounded
--   GFLOPS/W. doubling_years = log10(2) / slope. efficiency at a date d =
--   10^(intercept + slope * decimal_year(d)). Row set 'paper' is the 28 FP32 rows of J.9
--   plus the domain's 4 adapted rows (n = 32); 'all' adds the FP32 rows of the added GPUs.
-- Reproduces: the solid lines of Fig. 8 (row set 'paper', also the view efficiency_trend);
--   row set 'all' is the refit of trend_backtest and trend_refit.
with

fit_points as (
    select * from trend_fit_inputs
),

fits as (
    select
        row_set,
        domain,
        regr_slope(log10(gflops_per_watt), launch_year_decimal order by launch_year_decimal, gflops_per_watt)
            as slope_log10_per_year,
        regr_intercept(log10(gflops_per_watt), launch_year_decimal order by launch_year_decimal, gflops_per_watt)
            as intercept,
        regr_r2(log10(gflops_per_watt), launch_year_decimal order by launch_year_decimal, gflops_per_watt) as r2,
        regr_count(log10(gflops_per_watt), launch_year_decimal) as n,
        min(launch_date) as first_launch_date,
        max(launch_date) as last_launch_date,
    from fit_points
    group by row_set, domain
),

final as (
    select
        row_set,
        domain,
        slope_log10_per_year,
        intercept,
        r2,
        n,
        doubling_years(slope_log10_per_year) as doubling_years,
        growth_factor_per_year(slope_log10_per_year) as growth_factor_per_year,
        first_launch_date,
        last_launch_date,
    from fits
)

select * from final
