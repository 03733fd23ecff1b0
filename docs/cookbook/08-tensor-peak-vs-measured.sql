-- How much do tensor-core peak figures overstate the mixed-precision gain for CV inference?
-- Peak FP16/FP32 tensor GFLOPS/W (Table J.8) against the efficiency adapted from measured NGC
-- speed-ups (Table J.9), per GPU.
with peak as (
    select gpu_key, gflops_per_watt as tensor_peak
    from gpu_peak_efficiency
    where precision = 'FP16/FP32 Tensor'
),

adapted as (
    select gpu, gpu_key, gflops_per_watt as mixed_adapted
    from gpu_efficiency
    where domain = 'cv' and precision = 'Mixed'
)

select
    adapted.gpu,
    round(peak.tensor_peak, 1) as tensor_peak_gflops_per_watt,
    round(adapted.mixed_adapted, 1) as adapted_gflops_per_watt,
    round(peak.tensor_peak / adapted.mixed_adapted, 2) as overstatement,
from adapted
inner join peak on peak.gpu_key = adapted.gpu_key
order by overstatement desc;
