-- check: every NGC benchmark has its FP32 baseline in ngc_throughput (the same model and framework on the same GPU; on the V100 for the A100)
-- code: sql-missing-fp32-baseline
-- Why: a speed-up without a baseline is NULL and silently drops out of the F.4 mean.
-- Returns: one row per benchmark without a baseline.
with

benchmark_speedups as (
    select * from ngc_speedups
),

final as (
    select domain, model, framework, gpu, precision
    from benchmark_speedups
    where baseline_throughput is null
)

select * from final
