-- trend_backtest_by_precision: the accelerators released after the paper against the paper's
--   GPU-efficiency trend (Fig. 8), summed up per precision.
-- Grain: one row per domain and precision (key: domain, precision).
-- Inputs: trend_backtest.
-- Formula: accelerators = rows of trend_backtest; above_trend = those with
--   ratio_to_paper_trend > 1; geomean_ratio = exp(avg(ln(ratio_to_paper_trend))) (the
--   geometric mean: ratios multiply); min_ratio, max_ratio; median_years_ahead =
--   median(years_ahead_of_paper_trend).
-- Reproduces: nothing printed; the "by precision" table and sentences of the docs page
--   "Five years later".
with

backtest as (
    select * from trend_backtest
),

final as (
    select
        domain,
        precision,
        count(*) as accelerators,
        count(*) filter (where ratio_to_paper_trend > 1) as above_trend,
        exp(avg(ln(ratio_to_paper_trend) order by ratio_to_paper_trend)) as geomean_ratio,
        min(ratio_to_paper_trend) as min_ratio,
        max(ratio_to_paper_trend) as max_ratio,
        median(years_ahead_of_paper_trend) as median_years_ahead,
    from backtest
    group by domain, precision
)

select * from final
