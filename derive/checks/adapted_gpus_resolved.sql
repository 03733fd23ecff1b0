-- check: every GPU and precision adapted from Table E.3 has its own row in gpus and its baseline GPU's FP32 row, so it gets an adapted efficiency
-- code: sql-unresolved-adapted-gpu
-- Why: gpu_efficiency joins the speed-ups to gpus by gpu_key; a GPU named differently would vanish from the Fig. 8 trend.
-- Returns: one row per speed-up without an adapted gpu_efficiency row.
with

mean_speedups as (
    select * from precision_speedups
),

j9_efficiencies as (
    select * from gpu_efficiency where is_adapted
),

final as (
    select mean_speedups.domain, mean_speedups.gpu_key, mean_speedups.precision,
        mean_speedups.baseline_gpu_key
    from mean_speedups
    left join j9_efficiencies
        on j9_efficiencies.domain = mean_speedups.domain
        and j9_efficiencies.gpu_key = mean_speedups.gpu_key
        and j9_efficiencies.precision = mean_speedups.precision
    where j9_efficiencies.gpu is null
)

select * from final
