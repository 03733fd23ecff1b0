-- stg_ngc_throughput: the ngc_throughput table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per NGC benchmark (key: model, framework, gpu, precision), as in ngc_throughput.
-- Inputs: ngc_throughput (tables/ngc_throughput.csv).
-- Formula: every column of ngc_throughput; gpu_key = gpu_key(gpu) ('V100 16GB' -> 'v100'), the name the
--   speed-ups are matched on.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from ngc_throughput
),

final as (
    select
        *,
        gpu_key(gpu) as gpu_key,
    from source
)

select * from final
