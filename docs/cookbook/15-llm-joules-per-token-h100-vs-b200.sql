-- How many Joules does one output token take on an H100 and on a B200, measured?
-- mlenergy_runs (ML.ENERGY Benchmark v3, dataset ml-energy/benchmark-v3, Apache-2.0): GPU energy
-- only (power_scope 'gpu_only', Zeus/NVML), per output token, summed over the configuration's
-- GPUs. For each LLM of the lm-arena-chat task and each GPU, the configuration with the least
-- energy per token (its settings in configuration); ties broken by configuration.
with ranked as (
    select
        model_id,
        gpu_model,
        weight_precision,
        configuration,
        energy_per_unit_joules,
        row_number() over (
            partition by model_id, gpu_model order by energy_per_unit_joules, configuration, repeat
        ) as rank,
    from mlenergy_runs
    where task = 'lm-arena-chat'
)

select
    h100.model_id,
    h100.weight_precision,
    round(h100.energy_per_unit_joules, 4) as h100_joules_per_token,
    round(b200.energy_per_unit_joules, 4) as b200_joules_per_token,
    round(h100.energy_per_unit_joules / b200.energy_per_unit_joules, 2) as h100_over_b200,
from ranked as h100
join ranked as b200
    on b200.model_id = h100.model_id and b200.gpu_model = 'B200' and b200.rank = 1
where h100.gpu_model = 'H100' and h100.rank = 1
order by h100.model_id
