-- check: every speed-up (per benchmark and per GPU) is a finite number > 0
-- code: sql-bad-speedup
-- Why: adapted TFLOPS = FP32 TFLOPS x speed-up; zero or negative would break the log fit.
-- Returns: one row per offending speed-up.
with

benchmark_speedups as (
    select * from ngc_speedups
),

mean_speedups as (
    select * from precision_speedups
),

per_benchmark as (
    select 'ngc_speedups' as view_name, domain, gpu, precision, model, speedup
    from benchmark_speedups
),

per_gpu as (
    select 'precision_speedups' as view_name, domain, gpu_key as gpu, precision, cast(null as varchar) as model, speedup
    from mean_speedups
),

final as (
    select *
    from (select * from per_benchmark union all select * from per_gpu)
    where speedup is not null and (not isfinite(speedup) or speedup <= 0)
)

select * from final
