-- stg_human_energy_inputs: the human_energy_inputs table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per reference (key: reference), as in human_energy_inputs.
-- Inputs: human_energy_inputs (tables/human_energy_inputs.csv).
-- Formula: every column of human_energy_inputs, unchanged.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from human_energy_inputs
),

final as (
    select
        *,
    from source
)

select * from final
