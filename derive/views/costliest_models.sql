-- costliest_models: the model of the highest estimated energy per forward pass in each domain,
--   and how many seconds of a human body's energy that forward pass is.
-- Grain: one row per domain (key: domain).
-- Inputs: inference_energy, human_energy_reference (reference 'somatic').
-- Formula: the row of inference_energy with the largest joules in the domain (ties: the
--   first model by name); human_seconds = joules / the somatic reference's joules_per_second.
-- Why: the "Energy of the costliest model" sentence of the pages of Figs. 9 and 10.
with

model_energy as (
    select * from inference_energy
),

human as (
    select * from human_energy_reference
),

ranked as (
    select
        *,
        row_number() over (partition by domain order by joules desc, model, extra_data) as rank,
    from model_energy
),

final as (
    select
        r.domain,
        r.model,
        r.extra_data,
        r.release_date,
        r.gflops,
        r.input_tokens,
        r.gflops_per_watt,
        r.joules,
        h.joules_per_second as human_joules_per_second,
        r.joules / h.joules_per_second as human_seconds,
    from ranked as r
    left join human as h on h.reference = 'somatic'
    where r.rank = 1
)

select * from final
