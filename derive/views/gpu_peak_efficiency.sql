-- gpu_peak_efficiency: the theoretical efficiency of every accelerator and precision of gpus:
--   the GPUs of Table J.8 and the accelerators added after the paper.
-- Grain: one row per accelerator and precision (key: gpu, precision), as in gpus.
-- Inputs: gpus (Table J.8 and later additions).
-- Formula: gflops_per_watt = tflops * 1000 / tdp_watts (peak FLOPS over TDP, Section 3.3).
--   is_paper_row = paper_source is not null: the 50 rows of Table J.8; filter on it for the
--   paper's figures (Fig. 7), leave it out to include the accelerators added after the paper.
-- Reproduces: the GFLOPS/Watt column of Table J.8 and Fig. 7 (paper rows), printed rounded to
--   2 decimals. 41 of 50 printed values match; the other 9 disagree with the row's own TFLOPS
--   and Watts and are listed in the errata table (8 of them are printed right in Table J.9).
with

gpus as (
    select * from stg_gpus
),

final as (
    select
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
        paper_source is not null as is_paper_row,
        in_table_j9,
    from gpus
)

select * from final
