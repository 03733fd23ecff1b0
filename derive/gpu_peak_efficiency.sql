-- gpu_peak_efficiency: the theoretical efficiency of every GPU and precision of Table J.8.
-- Grain: one row per GPU and precision (key: gpu, precision), as in gpus.
-- Inputs: gpus (Table J.8).
-- Formula: gflops_per_watt = tflops * 1000 / tdp_watts (peak FLOPS over TDP, Section 3.3).
-- Reproduces: the GFLOPS/Watt column of Table J.8 and Fig. 7, printed rounded to 2 decimals.
--   41 of 50 printed values match; the other 9 disagree with the row's own TFLOPS and Watts
--   and are listed in the errata table (8 of them are printed right in Table J.9).
with

gpus as (
    select * from gpus
),

final as (
    select
        gpu,
        gpu_key(gpu) as gpu_key,
        precision,
        gpu_type,
        launch_date,
        tflops,
        tdp_watts,
        tflops * 1000 / tdp_watts as gflops_per_watt,
    from gpus
)

select * from final
