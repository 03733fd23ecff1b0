-- stg_mlperf_power_results: the mlperf_power_results table as the views read it, typed by its Table Schema (the build
--   loads it so).
-- Grain: one row per row of mlperf_power_results (its primary key).
-- Inputs: mlperf_power_results (tables/mlperf_power_results.csv, written by `inference-energy import`).
-- Formula: every column of mlperf_power_results, unchanged; run_year_decimal =
--   decimal_year(run_date), the x-variable of the measured-energy trends.
-- Why: the views read tables only through staging.
with

source as (
    select * from mlperf_power_results
),

final as (
    select
        *,
        decimal_year(run_date) as run_year_decimal,
    from source
)

select * from final
