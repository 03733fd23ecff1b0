-- check: every model gets a finite, positive energy per forward pass
-- code: sql-bad-joules
-- Why: a model without Joules (no trend for its domain, a zero or missing GFLOPs) would drop out of Figs. 9-14.
-- Returns: one row per model without finite positive Joules (inference_energy keeps every model of a domain that has a trend, so a lost model is one whose domain has none).
with

model_flops as (
    select * from main.model_flops
),

inference_energy as (
    select * from main.inference_energy
),

efficiency_trend as (
    select * from main.efficiency_trend
),

bad_joules as (
    select domain, model, extra_data, gflops, joules
    from inference_energy
    where joules is null or not isfinite(joules) or joules <= 0
),

no_trend as (
    select domain, model, extra_data, gflops, cast(null as double) as joules
    from model_flops
    where domain not in (select domain from efficiency_trend)
),

final as (
    select * from bad_joules
    union all
    select * from no_trend
)

select * from final
