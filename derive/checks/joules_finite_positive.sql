-- check: every model gets a finite, positive energy per forward pass
-- code: sql-bad-joules
-- Why: a model without Joules (no trend for its domain, a zero or missing GFLOPs) would drop out of Figs. 9-14.
-- Returns: one row per model without finite positive Joules.
with

model_flops as (
    select * from model_flops
),

inference_energy as (
    select * from inference_energy
),

final as (
    select model_flops.domain, model_flops.model, model_flops.extra_data, model_flops.gflops, inference_energy.joules
    from model_flops
    left join inference_energy
        on inference_energy.domain = model_flops.domain
        and inference_energy.model = model_flops.model
        and inference_energy.extra_data is not distinct from model_flops.extra_data
    where inference_energy.joules is null
        or not isfinite(inference_energy.joules)
        or inference_energy.joules <= 0
)

select * from final
