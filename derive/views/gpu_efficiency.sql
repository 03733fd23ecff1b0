-- gpu_efficiency: the GPU efficiencies the paper fits its hardware trends on, per domain.
-- Grain: one row per domain (cv, nlp), GPU and precision (key: domain, gpu, precision):
--   the FP32 rows of Table J.8 that Table J.9 keeps (gpus.in_table_j9, the same for both
--   domains) plus the four adapted rows of each domain (V100 Mixed, T4 Mixed, A100 TF32,
--   A100 Mixed). Only the paper's rows: accelerators added later are in trend_fit_inputs.
-- Inputs: gpu_peak_efficiency (Table J.8), precision_speedups (F.4).
-- Formula: FP32 rows: gflops_per_watt = tflops * 1000 / tdp_watts. Adapted rows:
--   tflops = FP32 TFLOPS of the baseline GPU x unrounded mean speed-up (the A100's baseline
--   is the V100: 15.70 TFLOPS), tdp_watts and launch_date are the GPU's own, and
--   gflops_per_watt = tflops * 1000 / tdp_watts, all unrounded.
-- Reproduces: Table J.9 and Fig. 8 (printed rounded to 2 decimals). All adapted TFLOPS and
--   GFLOPS/W match; of the FP32 rows all GFLOPS/W match except RTX 3080 (93.125, printed
--   93.13, which rounds half up) - see the test's rounding rule.
with

peak_efficiencies as (
    select * from gpu_peak_efficiency
),

mean_speedups as (
    select * from precision_speedups
),

domains as (
    select unnest(['cv', 'nlp']) as domain
),

fp32 as (
    select
        domains.domain,
        peak.gpu,
        peak.gpu_key,
        peak.precision,
        peak.vendor,
        peak.accelerator_kind,
        peak.gpu_type,
        peak.launch_date,
        peak.launch_year_decimal,
        peak.tflops,
        peak.tdp_watts,
        false as is_adapted,
        cast(null as double) as speedup,
    from peak_efficiencies as peak
    cross join domains
    where peak.precision = 'FP32'
        and peak.in_table_j9
),

-- the GPU's own row (TDP, launch date, type) for the adapted precisions
own_gpu as (
    select gpu, gpu_key, vendor, accelerator_kind, gpu_type, launch_date, launch_year_decimal, tdp_watts
    from peak_efficiencies
    where precision = 'FP32' and is_paper_row
),

baseline_fp32 as (
    select gpu_key, tflops
    from peak_efficiencies
    where precision = 'FP32' and is_paper_row
),

adapted as (
    select
        speedups.domain,
        own_gpu.gpu,
        own_gpu.gpu_key,
        speedups.precision,
        own_gpu.vendor,
        own_gpu.accelerator_kind,
        own_gpu.gpu_type,
        own_gpu.launch_date,
        own_gpu.launch_year_decimal,
        baseline_fp32.tflops * speedups.speedup as tflops,
        own_gpu.tdp_watts,
        true as is_adapted,
        speedups.speedup,
    from mean_speedups as speedups
    inner join own_gpu on own_gpu.gpu_key = speedups.gpu_key
    inner join baseline_fp32 on baseline_fp32.gpu_key = speedups.baseline_gpu_key
),

unioned as (
    select * from fp32
    union all
    select * from adapted
),

final as (
    select
        domain,
        gpu,
        gpu_key,
        precision,
        vendor,
        accelerator_kind,
        gpu_type,
        launch_date,
        launch_year_decimal,
        tflops,
        tdp_watts,
        tflops * 1000 / tdp_watts as gflops_per_watt,
        is_adapted,
        speedup,
    from unioned
)

select * from final
