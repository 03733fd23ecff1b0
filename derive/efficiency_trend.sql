-- efficiency_trend: the exponential trend of GPU efficiency (GFLOPS/W) over time, per domain.
-- Grain: one row per domain (cv, nlp).
-- Inputs: gpu_efficiency (Table J.9).
-- Formula: least-squares fit of log10(gflops_per_watt) on decimal_year(launch_date)
--   (regr_slope / regr_intercept / regr_r2) over the 28 FP32 rows of J.9 plus the domain's
--   4 adapted rows (n = 32), with unrounded GFLOPS/W. doubling_years = log10(2) / slope.
--   efficiency at a date d = 10^(intercept + slope * decimal_year(d)).
-- Reproduces: the solid lines of Fig. 8. The paper prints no coefficients; the CV fit
--   reproduces all 12 estimates of Table K.10 (and, up to a swap of two rows, Table K.11),
--   which pins down both the row set and the date variable (see decimal_year).
with

gpu_efficiency as (
    select * from gpu_efficiency
),

fits as (
    select
        domain,
        regr_slope(log10(gflops_per_watt), launch_year_decimal) as slope_log10_per_year,
        regr_intercept(log10(gflops_per_watt), launch_year_decimal) as intercept,
        regr_r2(log10(gflops_per_watt), launch_year_decimal) as r2,
        regr_count(log10(gflops_per_watt), launch_year_decimal) as n,
        min(launch_date) as first_launch_date,
        max(launch_date) as last_launch_date,
    from gpu_efficiency
    group by domain
),

final as (
    select
        domain,
        slope_log10_per_year,
        intercept,
        r2,
        n,
        log10(2) / slope_log10_per_year as doubling_years,
        power(10, slope_log10_per_year) as growth_factor_per_year,
        first_launch_date,
        last_launch_date,
    from fits
)

select * from final
