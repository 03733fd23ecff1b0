-- stg_gpus: the gpus table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per accelerator and precision (key: gpu, precision), as in gpus.
-- Inputs: gpus (tables/gpus.csv).
-- Formula: every column of gpus; gpu_key = gpu_key(gpu), the name the paper's tables are matched on;
--   launch_year_decimal = decimal_year(launch_date), the x-variable of the efficiency trends.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from gpus
),

final as (
    select
        *,
        gpu_key(gpu) as gpu_key,
        decimal_year(launch_date) as launch_year_decimal,
    from source
)

select * from final
