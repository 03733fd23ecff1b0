-- stg_energy_measurements: the energy_measurements table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per measurement (key: paper_source, model, device, precision), as in
--   energy_measurements.
-- Inputs: energy_measurements (tables/energy_measurements.csv).
-- Formula: every column of energy_measurements; device_key = gpu_key(device) ('Nvidia Tesla T4' -> 't4'),
--   the name the GPUs of Appendix K are matched on.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from energy_measurements
),

final as (
    select
        *,
        gpu_key(device) as device_key,
    from source
)

select * from final
