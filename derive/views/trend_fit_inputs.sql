-- trend_fit_inputs: the points each GPU-efficiency trend is fitted on, tagged by row set.
-- Grain: one row per row set ('paper', 'all'), domain (cv, nlp), accelerator and precision
--   (key: row_set, domain, gpu, precision).
-- Inputs: gpu_efficiency (Table J.9), gpu_peak_efficiency (gpus, with the rows added after
--   the paper).
-- Formula: row set 'paper' = the rows of Table J.9 (gpu_efficiency): the 28 FP32 rows plus the
--   domain's 4 adapted rows, the fit of Fig. 8. Row set 'all' = the same rows plus the FP32
--   rows of the GPUs added after the paper (is_paper_row false, accelerator_kind 'GPU'; NVIDIA
--   and AMD), the same in both domains. Why only their FP32 rows: the paper fits FP32 peaks
--   plus tensor-core rows adapted by measured NGC speed-ups (App. F); no such speed-ups exist
--   for the added parts, so their tensor peaks cannot be adapted, and raw tensor peaks
--   overstate what inference gets (see cookbook 08). TPUs have no FP32 figure and Gaudi 3
--   (kind 'other') only that of its vector units; the paper's trend is a GPU trend (3.3).
--   gflops_per_watt = tflops * 1000 / tdp_watts; launch_year_decimal = decimal_year(launch_date).
-- Reproduces: Table J.9 (row set 'paper'); row set 'all' is this package's extension.
with

j9_efficiencies as (
    select * from gpu_efficiency
),

peak_efficiencies as (
    select * from gpu_peak_efficiency
),

domains as (
    select unnest(['cv', 'nlp']) as domain
),

row_sets as (
    select unnest(['paper', 'all']) as row_set
),

paper_rows as (
    select
        row_sets.row_set,
        j9_efficiencies.domain,
        j9_efficiencies.gpu,
        j9_efficiencies.gpu_key,
        j9_efficiencies.precision,
        j9_efficiencies.vendor,
        j9_efficiencies.accelerator_kind,
        true as is_paper_row,
        j9_efficiencies.is_adapted,
        j9_efficiencies.launch_date,
        j9_efficiencies.launch_year_decimal,
        j9_efficiencies.tflops,
        j9_efficiencies.tdp_watts,
    from j9_efficiencies
    cross join row_sets
),

added_rows as (
    select
        'all' as row_set,
        domains.domain,
        peak.gpu,
        peak.gpu_key,
        peak.precision,
        peak.vendor,
        peak.accelerator_kind,
        false as is_paper_row,
        false as is_adapted,
        peak.launch_date,
        peak.launch_year_decimal,
        peak.tflops,
        peak.tdp_watts,
    from peak_efficiencies as peak
    cross join domains
    where not peak.is_paper_row
        and peak.precision = 'FP32'
        and peak.accelerator_kind = 'GPU'
),

unioned as (
    select * from paper_rows
    union all
    select * from added_rows
),

final as (
    select
        row_set,
        domain,
        gpu,
        gpu_key,
        precision,
        vendor,
        accelerator_kind,
        is_paper_row,
        is_adapted,
        launch_date,
        launch_year_decimal,
        tflops,
        tdp_watts,
        tflops * 1000 / tdp_watts as gflops_per_watt,
    from unioned
)

select * from final
