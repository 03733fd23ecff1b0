-- model_trend_lines: the fitted lines of model_trends at their first and last point, in the
--   metric's own unit: the straight lines (on a log axis) of Figs. 3, 6, 9, 10, 13 and 14.
-- Grain: one row per domain, metric, series and end of the line (key: domain, metric, series,
--   end_point).
-- Inputs: model_trends.
-- Formula: fitted = trend_value(intercept, slope_log10_per_year, release_date), at
--   release_date = first_release_date ('first') and last_release_date ('last') of the series.
--   Every series is here, also one fitted on few points; the figures draw a line only on a
--   series of at least 5 points (the rule is the figures', see docs/methodology.md).
-- Reproduces: the solid and dashed lines of Figs. 3, 6, 9, 10, 13 and 14 (not printed as numbers).
with

trends as (
    select * from model_trends
),

ends as (
    select
        domain,
        metric,
        series,
        n,
        slope_log10_per_year,
        intercept,
        unnest(['first', 'last']) as end_point,
        unnest([first_release_date, last_release_date]) as release_date,
    from trends
),

final as (
    select
        domain,
        metric,
        series,
        n,
        end_point,
        release_date,
        trend_value(intercept, slope_log10_per_year, release_date) as fitted,
    from ends
)

select * from final
