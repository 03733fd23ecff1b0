-- efficiency_trend_lines: the paper's GPU-efficiency trends (efficiency_trend) at their first
--   and last GPU, in GFLOPS per Watt: the solid lines of Fig. 8.
-- Grain: one row per domain and end of the line (key: domain, end_point).
-- Inputs: efficiency_trend.
-- Formula: fitted = trend_value(intercept, slope_log10_per_year, launch_date), at
--   launch_date = first_launch_date ('first') and last_launch_date ('last').
-- Reproduces: the solid lines of Fig. 8 (not printed as numbers).
with

trends as (
    select * from efficiency_trend
),

ends as (
    select
        domain,
        slope_log10_per_year,
        intercept,
        unnest(['first', 'last']) as end_point,
        unnest([first_launch_date, last_launch_date]) as launch_date,
    from trends
),

final as (
    select
        domain,
        end_point,
        launch_date,
        trend_value(intercept, slope_log10_per_year, launch_date) as fitted,
    from ends
)

select * from final
