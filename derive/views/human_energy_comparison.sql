-- human_energy_comparison: each model's energy per forward pass against the energy a human
--   uses in one second.
-- Grain: one row per model (key: domain, model, extra_data).
-- Inputs: inference_energy, human_energy_reference.
-- Formula: share_of_somatic_second = joules / 100 J (the paper's somatic reference);
--   share_of_external_second = joules / 10,000 J; passes_per_somatic_second = 100 J / joules
--   (forward passes that use as much energy as a human body in one second).
-- Reproduces: Figs. 13 (CV) and 14 (NLP).
with

model_energy as (
    select * from inference_energy
),

human_references as (
    select * from human_energy_reference
),

somatic as (
    select paper_joules_per_second as joules from human_references where reference = 'somatic'
),

external as (
    select paper_joules_per_second as joules from human_references where reference = 'external'
),

final as (
    select
        model_energy.domain,
        model_energy.model,
        model_energy.extra_data,
        model_energy.release_date,
        model_energy.joules,
        somatic.joules as somatic_joules_per_second,
        external.joules as external_joules_per_second,
        model_energy.joules / somatic.joules as share_of_somatic_second,
        model_energy.joules / external.joules as share_of_external_second,
        somatic.joules / model_energy.joules as passes_per_somatic_second,
    from model_energy
    cross join somatic
    cross join external
)

select * from final
