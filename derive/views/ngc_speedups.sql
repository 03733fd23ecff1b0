-- ngc_speedups: the speed-up of every NGC inference benchmark over its FP32 baseline.
-- Grain: one row per Table E.3 row (key: model, framework, gpu, precision).
-- Inputs: ngc_throughput (Table E.3).
-- Formula: speedup = throughput / baseline throughput, where the baseline is the FP32 row of
--   the same model and framework on the same GPU, except for the A100 (which has no FP32
--   measurement, App. F): its baseline is the V100 FP32 row of the same model and framework.
--   FP32 rows are their own baseline (speed-up 1).
-- Reproduces: the 'Speed-up' column of Table E.3; the paper prints it rounded to 2 decimals
--   and all 58 printed values match.
with

ngc_throughput as (
    select * from stg_ngc_throughput
),

benchmarks as (
    select
        lower(task) as domain,
        model,
        framework,
        batch_size,
        gpu,
        gpu_key,
        precision,
        throughput,
        -- A100 speed-ups are taken against the V100 (Table E.3 caption, App. F)
        case when gpu_key = 'a100' then 'v100' else gpu_key end as baseline_gpu_key,
    from ngc_throughput
),

fp32_baselines as (
    select model, framework, gpu_key, gpu as baseline_gpu, throughput as baseline_throughput,
    from ngc_throughput
    where precision = 'FP32'
),

final as (
    select
        benchmarks.domain,
        benchmarks.model,
        benchmarks.framework,
        benchmarks.batch_size,
        benchmarks.gpu,
        benchmarks.gpu_key,
        benchmarks.precision,
        benchmarks.throughput,
        fp32_baselines.baseline_gpu,
        'FP32' as baseline_precision,
        fp32_baselines.baseline_throughput,
        benchmarks.throughput / fp32_baselines.baseline_throughput as speedup,
    from benchmarks
    left join fp32_baselines
        on fp32_baselines.model = benchmarks.model
        and fp32_baselines.framework = benchmarks.framework
        and fp32_baselines.gpu_key = benchmarks.baseline_gpu_key
)

select * from final
