-- mlperf_trend_lines: the two lines of the figure "Measured energy per image, MLPerf rounds",
--   in J per sample: the fit over the best run of each round, and a line falling at the pace of
--   the paper's GPU-efficiency trend from the first round's best.
-- Grain: one row per benchmark, line and end of the line (key: benchmark, line, end_point).
-- Inputs: mlperf_best_per_round.
-- Formula: both lines run from the benchmark's first to its last best run (run_date).
--   'fit': joules = trend_value(intercept, slope_log10_per_year, run_date), the fit of
--   mlperf_best_per_round. 'paper pace': joules = first best_joules
--   * 2^(-(run_year - first run_year) / paper_doubling_years): energy halving as fast as the
--   paper's GFLOPS/W doubles (efficiency_trend, cv).
-- Why: the comparison the page draws; nothing printed in the paper.
with

best as (
    select * from mlperf_best_per_round
),

spans as (
    select
        benchmark,
        any_value(slope_log10_per_year) as slope_log10_per_year,
        any_value(intercept) as intercept,
        any_value(paper_doubling_years) as paper_doubling_years,
        arg_min(best_joules, run_date) as first_best_joules,
        min(run_year) as first_run_year,
        min(run_date) as first_date,
        max(run_date) as last_date,
        arg_max(run_year, run_date) as last_run_year,
    from best
    group by benchmark
),

ends as (
    select
        *,
        unnest(['first', 'last']) as end_point,
        unnest([first_date, last_date]) as run_date,
        unnest([first_run_year, last_run_year]) as run_year,
    from spans
),

final as (
    select
        benchmark,
        'fit' as line,
        end_point,
        run_date,
        trend_value(intercept, slope_log10_per_year, run_date) as joules,
    from ends
    union all
    select
        benchmark,
        'paper pace' as line,
        end_point,
        run_date,
        first_best_joules * power(2, -(run_year - first_run_year) / paper_doubling_years) as joules,
    from ends
)

select * from final
