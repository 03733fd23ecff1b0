-- check: every GPU and precision adapted from Table E.3 has its own row in gpus and its baseline GPU's FP32 row, so it gets an adapted efficiency
-- code: sql-unresolved-adapted-gpu
-- Why: gpu_efficiency joins the speed-ups to gpus by gpu_key; a GPU named differently would vanish from the Fig. 8 trend.
-- Returns: one row per speed-up without an adapted gpu_efficiency row.
with

precision_speedups as (
    select * from main.precision_speedups
),

gpu_efficiency as (
    select * from gpu_efficiency where is_adapted
),

final as (
    select precision_speedups.domain, precision_speedups.gpu_key, precision_speedups.precision,
        precision_speedups.baseline_gpu_key
    from precision_speedups
    left join gpu_efficiency
        on gpu_efficiency.domain = precision_speedups.domain
        and gpu_efficiency.gpu_key = precision_speedups.gpu_key
        and gpu_efficiency.precision = precision_speedups.precision
    where gpu_efficiency.gpu is null
)

select * from final
