-- measured_energy_per_inference: measured energy of one unit of inference work, from MLPerf
--   power results (whole system at the wall) and the ML.ENERGY Benchmark (GPUs only).
-- Grain: one row per measurement (key: source, measurement_id): an MLPerf closed-division run
--   (round/division/submitter/system_id/benchmark/scenario) or an ML.ENERGY configuration
--   (task/model_id/gpu_model/configuration/repeat).
-- Inputs: stg_mlperf_power_results, stg_mlenergy_runs.
-- Formula: MLPerf Offline / Server / Interactive: joules_per_unit = avg_power_watts / throughput
--   (J per sample, or per token where LoadGen logs tokens/s); SingleStream / MultiStream:
--   energy_per_query_joules (J per query; a MultiStream query is 8 samples from v2.0).
--   ML.ENERGY: energy_per_unit_joules (J per output token, image or video).
--   joules_per_unit_per_accelerator = joules_per_unit / (accelerators per node x nodes) for
--   MLPerf (the system's energy shared out, host included) and / num_gpus for ML.ENERGY.
--   Scenarios are kept apart: compare rows of one scenario only. power_scope says what the
--   energy covers ('system_wall' vs 'gpu_only'): never mix the two in one comparison.
-- Derived from MLPerf results; J per inference is not an official MLPerf metric.
-- Why: the question users ask first in 2026, how much energy one inference takes now, measured;
--   the input of paper_method_vs_measured and mlperf_best_per_round.
with

power_runs as (
    select * from stg_mlperf_power_results
),

gpu_configurations as (
    select * from stg_mlenergy_runs
),

mlperf as (
    select
        'mlperf' as source,
        concat_ws('/', round, division, submitter, system_id, benchmark, scenario) as measurement_id,
        round,
        result_id,
        division,
        category,
        submitter,
        system_id,
        system_name,
        benchmark,
        model,
        accuracy_target,
        same_run_as,
        scenario,
        accelerator,
        gpu,
        gpu_precision,
        accelerators_per_node * nodes as accelerators,
        weight_data_types as precision,
        cast(null as varchar) as task_family,
        cast(null as double) as active_params_billions,
        power_scope,
        case
            when scenario in ('SingleStream', 'MultiStream') then 'query'
            when throughput_unit = 'tokens/s' then 'token'
            else 'sample'
        end as energy_unit,
        case
            when scenario in ('SingleStream', 'MultiStream') then energy_per_query_joules
            else avg_power_watts / throughput
        end as joules_per_unit,
        avg_power_watts,
        throughput,
        throughput_unit,
        run_date,
        run_year_decimal,
        repository,
        commit,
        path,
    from power_runs
),

mlenergy as (
    select
        'mlenergy' as source,
        concat_ws('/', task, model_id, gpu_model, configuration, repeat) as measurement_id,
        cast(null as varchar) as round,
        cast(null as varchar) as result_id,
        cast(null as varchar) as division,
        cast(null as varchar) as category,
        cast(null as varchar) as submitter,
        cast(null as varchar) as system_id,
        cast(null as varchar) as system_name,
        task as benchmark,
        model_id as model,
        cast(null as varchar) as accuracy_target,
        cast(null as varchar) as same_run_as,
        task as scenario,
        gpu_model as accelerator,
        gpu,
        gpu_precision,
        num_gpus as accelerators,
        weight_precision as precision,
        task_family,
        active_params_billions,
        power_scope,
        energy_unit,
        energy_per_unit_joules as joules_per_unit,
        avg_power_watts,
        throughput,
        throughput_unit,
        cast(null as date) as run_date,
        cast(null as double) as run_year_decimal,
        repository,
        commit,
        path,
    from gpu_configurations
),

unioned as (
    select * from mlperf
    union all by name
    select * from mlenergy
),

final as (
    select
        * exclude (avg_power_watts, throughput, throughput_unit, run_date, run_year_decimal, repository, commit, path),
        joules_per_unit / nullif(accelerators, 0) as joules_per_unit_per_accelerator,
        avg_power_watts,
        throughput,
        throughput_unit,
        run_date,
        run_year_decimal,
        repository,
        commit,
        path,
    from unioned
    where joules_per_unit is not null
)

select * from final
