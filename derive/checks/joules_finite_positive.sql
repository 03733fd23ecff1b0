-- check: every model gets a finite, positive energy per forward pass
-- code: sql-bad-joules
-- Why: a model without Joules (no trend for its domain, a zero or missing GFLOPs) would drop out of Figs. 9-14.
-- Returns: one row per model without finite positive Joules (inference_energy keeps every model of a domain that has a trend, so a lost model is one whose domain has none).
with

models as (
    select * from model_flops
),

model_energy as (
    select * from inference_energy
),

trends as (
    select * from efficiency_trend
),

bad_joules as (
    select domain, model, extra_data, gflops, joules
    from model_energy
    where joules is null or not isfinite(joules) or joules <= 0
),

no_trend as (
    select domain, model, extra_data, gflops, cast(null as double) as joules
    from models
    where domain not in (select domain from trends)
),

final as (
    select * from bad_joules
    union all
    select * from no_trend
)

select * from final
