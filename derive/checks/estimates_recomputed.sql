-- check: every GFLOPs value marked * (estimated) in cv_models is recomputed by flops_estimates
-- code: sql-estimate-not-recomputed
-- Why: an estimate without a recomputation cannot be checked against Appendix H.
-- Returns: one row per estimated CV model missing from flops_estimates.
with

cv_models as (
    select * from main.cv_models
),

flops_estimates as (
    select * from main.flops_estimates
),

final as (
    select cv_models.model, cv_models.extra_data, cv_models.gflops
    from cv_models
    left join flops_estimates on flops_estimates.model = cv_models.model
    where cv_models.gflops_marker = '*'
        and flops_estimates.estimated_gflops is null
)

select * from final
