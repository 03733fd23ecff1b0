-- efficiency_trend: the paper's exponential trend of GPU efficiency (GFLOPS/W) over time, per
--   domain: the fit on the rows of Table J.9 only.
-- Grain: one row per domain (cv, nlp).
-- Inputs: efficiency_trend_fits (row set 'paper', i.e. gpu_efficiency: Table J.9).
-- Formula: least-squares fit of log10(gflops_per_watt) on decimal_year(launch_date)
--   (regr_slope / regr_intercept / regr_r2) over the 28 FP32 rows of J.9 plus the domain's
--   4 adapted rows (n = 32), with unrounded GFLOPS/W. doubling_years = log10(2) / slope.
--   efficiency at a date d = 10^(intercept + slope * decimal_year(d)). The fit with the GPUs
--   added after the paper is row set 'all' of efficiency_trend_fits.
-- Reproduces: the solid lines of Fig. 8. The paper prints no coefficients; the CV fit
--   reproduces all 12 estimates of Table K.10 (and, up to a swap of two rows, Table K.11),
--   which pins down both the row set and the date variable (see decimal_year).
with

trend_fits as (
    select * from efficiency_trend_fits
),

final as (
    select * exclude (row_set)
    from trend_fits
    where row_set = 'paper'
)

select * from final
