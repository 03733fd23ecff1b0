-- paper_method_vs_measured: the paper's estimation method (model FLOPs over a GPU's peak
--   GFLOPS per Watt) against measured energy, for every measurement the package can put a
--   FLOP count and an accelerator of gpus on. Extends Table K.10 to MLPerf and ML.ENERGY.
-- Grain: one row per measurement (key: source, measurement_id), as measured_energy_per_inference.
-- Inputs: measured_energy_per_inference, gpu_peak_efficiency (gpus), model_flops (cv_models,
--   nlp_models), efficiency_trend (Fig. 8), the macro trend_value.
-- Formula: gflops per unit of work:
--   MLPerf resnet50 (per sample): the GFLOPs of ResNet-50 in Table B.2;
--   MLPerf bert-99 / bert-99.9 (per sample): BERT Large's GFLOPs per token in Table I.7
--     (gflops / input_tokens) x 384, MLPerf's BERT sequence length (mlcommons/inference
--     language/bert/README.md: "max_seq_length is 384"); an approximation: the attention
--     term grows faster than linearly with the sequence length;
--   ML.ENERGY LLM and multimodal-LLM tasks (per output token): 2 x active parameters
--     (a forward pass costs about 2 FLOPs per parameter and token); an approximation that
--     leaves out attention over the context and the prefill of the prompt.
--   estimate_peak_joules = gflops / gflops_per_watt of the accelerator's dense 16-bit tensor
--     peak at TDP (gpus row gpu, gpu_precision); estimate_trend_joules = gflops / the paper's
--     trend efficiency (efficiency_trend, cv for ResNet-50, nlp otherwise) at the
--     accelerator's launch date. ratio = measured / estimate.
--   Only Offline (MLPerf) rows and ML.ENERGY rows: throughput-based energy per unit.
--   peak_matches_precision is false where the run used 8- or 4-bit weights (the 16-bit peak
--   then understates what the hardware can do) or the precision is not stated.
-- Why: tests the paper's estimation method (Section 3, Appendix K) on hundreds of measurements.
with

measured as (
    select * from measured_energy_per_inference
),

peaks as (
    select * from gpu_peak_efficiency
),

flop_counts as (
    select * from model_flops
),

trends as (
    select * from efficiency_trend
),

flops as (
    select
        m.*,
        case
            when m.source = 'mlperf' and m.model = 'resnet50' then
                (select gflops from flop_counts where domain = 'cv' and model = 'ResNet-50' and extra_data is null)
            when m.source = 'mlperf' and m.model = 'bert' then
                (select gflops / input_tokens from flop_counts where domain = 'nlp' and model = 'BERT Large') * 384
            when m.source = 'mlenergy' and m.task_family in ('llm', 'mllm') then 2 * m.active_params_billions
        end as gflops_per_unit,
        case
            when m.source = 'mlperf' and m.model = 'resnet50' then 'Table B.2: ResNet-50'
            when m.source = 'mlperf' and m.model = 'bert' then 'Table I.7: BERT Large per token x 384 tokens'
            when m.source = 'mlenergy' and m.task_family in ('llm', 'mllm') then '2 x active parameters per output token'
        end as flops_basis,
        case when m.source = 'mlperf' and m.model = 'resnet50' then 'cv' else 'nlp' end as trend_domain,
    from measured as m
    where m.gpu is not null
        and (m.source = 'mlenergy' or m.scenario = 'Offline')
),

final as (
    select
        f.source,
        f.measurement_id,
        f.round,
        f.result_id,
        f.division,
        f.category,
        f.submitter,
        f.system_name,
        f.benchmark,
        f.model,
        f.scenario,
        f.accelerator,
        f.gpu,
        f.gpu_precision as peak_precision,
        f.accelerators,
        f.precision,
        coalesce(lower(f.precision) in ('fp16', 'bf16', 'bfloat16', 'float16'), false) as peak_matches_precision,
        f.power_scope,
        f.energy_unit,
        f.flops_basis,
        f.gflops_per_unit,
        p.gflops_per_watt as peak_gflops_per_watt,
        p.launch_date,
        trend_value(t.intercept, t.slope_log10_per_year, p.launch_date) as trend_gflops_per_watt,
        f.joules_per_unit as measured_joules,
        f.gflops_per_unit / p.gflops_per_watt as estimate_peak_joules,
        f.gflops_per_unit / trend_value(t.intercept, t.slope_log10_per_year, p.launch_date)
            as estimate_trend_joules,
        f.joules_per_unit / (f.gflops_per_unit / p.gflops_per_watt) as ratio_to_peak,
        f.joules_per_unit
            / (f.gflops_per_unit / trend_value(t.intercept, t.slope_log10_per_year, p.launch_date))
            as ratio_to_trend,
        f.repository,
        f.commit,
        f.path,
    from flops as f
    join peaks as p
        on p.gpu = f.gpu and p.precision = f.gpu_precision
    join trends as t
        on t.domain = f.trend_domain
    where f.gflops_per_unit is not null
)

select * from final
