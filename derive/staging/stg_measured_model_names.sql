-- stg_measured_model_names: the measured_model_names table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per Appendix K model name (key: measured_model), as in measured_model_names.
-- Inputs: measured_model_names (tables/measured_model_names.csv).
-- Formula: every column of measured_model_names, unchanged.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from measured_model_names
),

final as (
    select
        *,
    from source
)

select * from final
