-- mlperf_best_per_round: the lowest measured energy per sample of ResNet-50 and BERT in each
--   MLPerf Inference round (closed division, Offline scenario), and how fast it falls.
-- Grain: one row per benchmark and round (key: benchmark, round).
-- Inputs: measured_energy_per_inference (mlperf rows).
-- Formula: best_joules = min(joules_per_unit) over the round's closed Offline runs of the
--   benchmark (ties: the smaller measurement_id). run_year = run_year_decimal of that run
--   (decimal_year(run_date), computed in staging).
--   The fit, as Fig. 8: least squares of log10(best_joules) on run_year over the rounds of the
--   benchmark; halving_years = -log10(2) / slope (years for the best J/sample to halve), next to
--   the paper's GPU efficiency doubling time (efficiency_trend, cv: 2.64 years).
-- Derived from MLPerf results; J per sample is not an official MLPerf metric.
-- Why: the paper's Fig. 8 trend is of peak GPU efficiency; this is the same fit on measured energy.
with

measured as (
    select * from measured_energy_per_inference
),

trends as (
    select * from efficiency_trend
),

ranked as (
    select
        *,
        row_number() over (partition by benchmark, round order by joules_per_unit, measurement_id) as rank,
    from measured
    where source = 'mlperf'
        and division = 'closed'
        and scenario = 'Offline'
        and benchmark in ('resnet50', 'bert-99', 'bert-99.9')
        and energy_unit = 'sample'
),

best as (
    select
        benchmark,
        round,
        result_id,
        submitter,
        system_name,
        accelerator,
        accelerators,
        precision,
        joules_per_unit as best_joules,
        run_date,
        run_year_decimal as run_year,
        measurement_id,
    from ranked
    where rank = 1
),

fits as (
    select
        benchmark,
        regr_slope(log10(best_joules), run_year order by run_year, best_joules) as slope_log10_per_year,
        regr_intercept(log10(best_joules), run_year order by run_year, best_joules) as intercept,
        regr_r2(log10(best_joules), run_year order by run_year, best_joules) as r2,
        count(*) as rounds,
    from best
    group by benchmark
),

final as (
    select
        b.*,
        f.slope_log10_per_year,
        f.intercept,
        f.r2,
        f.rounds,
        -doubling_years(f.slope_log10_per_year) as halving_years,
        (select doubling_years from trends where domain = 'cv') as paper_doubling_years,
    from best as b
    join fits as f using (benchmark)
)

select * from final
