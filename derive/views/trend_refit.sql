-- trend_refit: how the GPU-efficiency trend moved when refitted with the GPUs released after
--   the paper: the paper's fit (Fig. 8) and the refit side by side.
-- Grain: one row per domain (cv, nlp).
-- Inputs: efficiency_trend_fits (row sets 'paper' and 'all'), trend_fit_inputs.
-- Formula: paper_* and refit_* are n, slope_log10_per_year, doubling_years (log10(2) / slope)
--   and r2 of the two fits; doubling_change_years = refit - paper doubling time (positive: the
--   refit doubles more slowly). The trend's level, 10^(intercept + slope * decimal_year(d)),
--   is compared at two dates: the newest launch date among the paper fit's points
--   (paper_end_date: RTX 3080/3090, 2020-09-01; the A30 is not in J.9) and the newest among
--   the refit's points (newest_date);
--   refit_over_paper_at_* = refit trend / paper trend there (below 1: the refit lies lower).
-- Reproduces: nothing printed; the refit of the docs page "Five years later".
with

trend_fits as (
    select * from efficiency_trend_fits
),

fit_points as (
    select * from trend_fit_inputs
),

paper_fit as (
    select * from trend_fits where row_set = 'paper'
),

refit as (
    select * from trend_fits where row_set = 'all'
),

added_points as (
    select domain, count(*) as n_added
    from fit_points
    where row_set = 'all' and not is_paper_row
    group by domain
),

paired as (
    select
        paper_fit.domain,
        paper_fit.n as paper_n,
        refit.n as refit_n,
        coalesce(added_points.n_added, 0) as added_n,
        paper_fit.slope_log10_per_year as paper_slope_log10_per_year,
        refit.slope_log10_per_year as refit_slope_log10_per_year,
        paper_fit.doubling_years as paper_doubling_years,
        refit.doubling_years as refit_doubling_years,
        paper_fit.r2 as paper_r2,
        refit.r2 as refit_r2,
        paper_fit.intercept as paper_intercept,
        refit.intercept as refit_intercept,
        paper_fit.last_launch_date as paper_end_date,
        refit.last_launch_date as newest_date,
    from paper_fit
    inner join refit on refit.domain = paper_fit.domain
    left join added_points on added_points.domain = paper_fit.domain
),

final as (
    select
        domain,
        paper_n,
        refit_n,
        added_n,
        paper_slope_log10_per_year,
        refit_slope_log10_per_year,
        paper_doubling_years,
        refit_doubling_years,
        refit_doubling_years - paper_doubling_years as doubling_change_years,
        paper_r2,
        refit_r2,
        paper_end_date,
        newest_date,
        trend_value(refit_intercept, refit_slope_log10_per_year, paper_end_date)
            / trend_value(paper_intercept, paper_slope_log10_per_year, paper_end_date)
            as refit_over_paper_at_paper_end,
        trend_value(refit_intercept, refit_slope_log10_per_year, newest_date)
            / trend_value(paper_intercept, paper_slope_log10_per_year, newest_date)
            as refit_over_paper_at_newest,
    from paired
)

select * from final
