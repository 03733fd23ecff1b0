-- precision_speedups: the mixed-precision (and TF32) speed-up of each GPU for each domain.
-- Grain: one row per domain, GPU and precision (cv/nlp x V100 Mixed, A100 TF32, A100 Mixed,
--   T4 Mixed); gpu is the short name F.4 prints (V100, A100, T4), gpu_key the matching key.
-- Inputs: ngc_speedups (Table E.3).
-- Formula: speedup = arithmetic mean of the unrounded per-benchmark speed-ups of the domain,
--   GPU and precision (not the median, not the geometric mean, not the mean of the rounded
--   E.3 values). baseline_gpu_key says which GPU's FP32 TFLOPS the speed-up multiplies.
-- Reproduces: Table F.4 (printed rounded to 2 decimals; all 8 cells match) and, unrounded,
--   the adapted TFLOPS of Table J.9 (e.g. V100 CNN Mixed 35.71 = 15.70 x 2.27449; with the
--   rounded 2.27 it would be 35.64). The mean of the rounded E.3 values gives 2.275 for
--   V100 CV and 4.665 for A100 NLP Mixed, so it cannot be what F.4 rounds.
with

benchmark_speedups as (
    select * from ngc_speedups
),

adapted as (
    select *
    from benchmark_speedups
    where precision <> 'FP32'
),

final as (
    select
        domain,
        upper(gpu_key) as gpu,
        gpu_key,
        precision,
        -- the GPU whose FP32 peak TFLOPS this speed-up multiplies (A100 -> V100, App. F)
        case when gpu_key = 'a100' then 'v100' else gpu_key end as baseline_gpu_key,
        'FP32' as baseline_precision,
        avg(speedup order by speedup) as speedup,
        median(speedup) as median_speedup,
        count(*) as n_benchmarks,
        min(speedup) as min_speedup,
        max(speedup) as max_speedup,
    from adapted
    group by domain, gpu_key, precision
)

select * from final
