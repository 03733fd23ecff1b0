-- stg_mlenergy_runs: the mlenergy_runs table as the views read it, typed by its Table Schema (the build
--   loads it so).
-- Grain: one row per row of mlenergy_runs (its primary key).
-- Inputs: mlenergy_runs (tables/mlenergy_runs.csv, written by `inference-energy import`).
-- Formula: every column of mlenergy_runs, unchanged.
-- Why: the views read tables only through staging.
with

source as (
    select * from mlenergy_runs
),

final as (
    select *
    from source
)

select * from final
