-- trend_backtest_lines: the lines of the "Five years later" figure, in GFLOPS per Watt: the
--   paper's GPU-efficiency trend over its own GPUs, the same trend extrapolated to the newest
--   accelerator added after the paper, and the trend refitted with the added GPUs.
-- Grain: one row per domain, line and end of the line (key: domain, line, end_point).
-- Inputs: efficiency_trend_fits (row sets 'paper' and 'all'), trend_backtest.
-- Formula: fitted = trend_value(intercept, slope_log10_per_year, launch_date) of the line's fit:
--   'paper fit' (row set 'paper') from its first to its last launch date; 'paper fit,
--   extrapolated' (row set 'paper') from its last launch date to the newest launch date in
--   trend_backtest; 'refit' (row set 'all') from its first launch date to the later of its last
--   and that newest date.
-- Reproduces: nothing printed; the lines of the docs page "Five years later".
with

trend_fits as (
    select * from efficiency_trend_fits
),

backtest as (
    select * from trend_backtest
),

newest as (
    select domain, max(launch_date) as launch_date
    from backtest
    group by domain
),

segments as (
    select
        p.domain,
        'paper fit' as line,
        p.slope_log10_per_year,
        p.intercept,
        p.first_launch_date as first_date,
        p.last_launch_date as last_date,
    from trend_fits as p
    where p.row_set = 'paper'
    union all
    select
        p.domain,
        'paper fit, extrapolated' as line,
        p.slope_log10_per_year,
        p.intercept,
        p.last_launch_date as first_date,
        n.launch_date as last_date,
    from trend_fits as p
    join newest as n using (domain)
    where p.row_set = 'paper'
    union all
    select
        r.domain,
        'refit' as line,
        r.slope_log10_per_year,
        r.intercept,
        r.first_launch_date as first_date,
        greatest(r.last_launch_date, n.launch_date) as last_date,
    from trend_fits as r
    join newest as n using (domain)
    where r.row_set = 'all'
),

ends as (
    select
        domain,
        line,
        slope_log10_per_year,
        intercept,
        unnest(['first', 'last']) as end_point,
        unnest([first_date, last_date]) as launch_date,
    from segments
),

final as (
    select
        domain,
        line,
        end_point,
        launch_date,
        trend_value(intercept, slope_log10_per_year, launch_date) as fitted,
    from ends
)

select * from final
