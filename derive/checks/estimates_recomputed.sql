-- check: every GFLOPs value marked * (estimated) in cv_models is recomputed by flops_estimates
-- code: sql-estimate-not-recomputed
-- Why: an estimate without a recomputation cannot be checked against Appendix H.
-- Returns: one row per estimated CV model missing from flops_estimates.
with

cv_models as (
    select * from stg_cv_models
),

recomputed as (
    select * from flops_estimates
),

final as (
    select cv_models.model, cv_models.extra_data, cv_models.gflops
    from cv_models
    left join recomputed on recomputed.model = cv_models.model
    where cv_models.gflops_marker = '*'
        and recomputed.estimated_gflops is null
)

select * from final
