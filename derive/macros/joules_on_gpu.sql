-- joules_on_gpu(gpu_name, precision_name): the energy of one forward pass of every model on
--   one GPU at one precision, at the GPU's efficiency instead of the trend.
-- Grain: table macro, one row per model (key: domain, model, extra_data); no rows when the
--   GPU/precision is unknown.
-- Inputs: model_flops, gpu_peak_efficiency (Table J.8 and later accelerators), gpu_efficiency (Table J.9).
-- Formula: joules = gflops / gflops_per_watt. For 'Mixed' and 'TF32' the GPU's adapted,
--   domain-specific efficiency of Table J.9 is used (CV models get the CNN row, NLP models the
--   NLP row); any other precision ('FP32', 'FP16', 'FP16/FP32 Tensor', and for accelerators
--   added after the paper 'TF32 Tensor' and 'FP16/BF16 Tensor') uses the peak efficiency of
--   gpus (gpu_peak_efficiency) for both domains: a peak, not a measured throughput, so for
--   tensor precisions a lower bound that real inference does not reach (App. F, cookbook 08).
--   The GPU is matched on gpu_key, so 'T4', 'Tesla T4' and 'Nvidia Tesla T4' all work, and
--   'H100 SXM5' finds 'NVIDIA H100 SXM5 80GB'.
-- Example: select model, joules from joules_on_gpu('A100', 'Mixed') where domain = 'cv';
--   one call per accelerator with lateral: docs/cookbook/14-resnet-50-on-todays-accelerators.sql
-- Reproduces: nothing printed; a what-if beside inference_energy (Figs. 9-10).
create macro joules_on_gpu(gpu_name, precision_name) as table
    with

    models as (
        select * from model_flops
    ),

    peak as (
        select domains.domain, gpu, gpu_key, precision, gflops_per_watt
        from gpu_peak_efficiency
        cross join (select unnest(['cv', 'nlp']) as domain) as domains
        where precision not in ('Mixed', 'TF32')
    ),

    adapted as (
        select domain, gpu, gpu_key, precision, gflops_per_watt
        from gpu_efficiency
        where is_adapted
    ),

    efficiencies as (
        select * from peak
        union all
        select * from adapted
    ),

    chosen as (
        select *
        from efficiencies
        where gpu_key = gpu_key(gpu_name) and lower(precision) = lower(precision_name)
    ),

    final as (
        select
            models.domain,
            models.model,
            models.extra_data,
            models.release_date,
            chosen.gpu,
            chosen.precision,
            models.gflops,
            chosen.gflops_per_watt,
            models.gflops / chosen.gflops_per_watt as joules,
        from models
        inner join chosen on chosen.domain = models.domain
        order by models.domain, models.release_date, models.model
    )

    select * from final
