-- model_flops: the inference compute of every model of both domains, on one FLOPs convention.
-- Grain: one row per model and training-data variant (key: domain, model, extra_data;
--   extra_data is NULL for NLP models and for CV models trained on ImageNet-1k only, whose
--   cv_models.extra_data is the printed 'No').
-- Inputs: cv_models (Table B.2), nlp_models (Table I.7).
-- Formula: gflops = reported GFLOPs, doubled where gflops_convention = 'multiply-adds'
--   (Appendix A: a multiply-add counts as 2 FLOPs); gflops_per_token = gflops / input_tokens
--   (NLP only; Figs. 5-6 plot GFLOPs per token). score = Top-1 accuracy (CV) or GLUE (NLP).
--   release_year_decimal is the staging views' decimal_year(release_date), carried to the trends.
-- Reproduces: the GFLOPs axes of Figs. 1-6 (all B.2 and I.7 values are already on the
--   2-per-multiply-add convention, so no row is doubled in the paper's data).
with

cv_models as (
    select * from stg_cv_models
),

nlp_models as (
    select * from stg_nlp_models
),

cv as (
    select
        'cv' as domain,
        model,
        nullif(extra_data, 'No') as extra_data,
        architecture,
        release_date,
        release_year_decimal,
        params_millions,
        gflops as reported_gflops,
        gflops_convention,
        gflops_marker,
        cast(null as bigint) as input_tokens,
        'top1_accuracy' as score_metric,
        top1_accuracy as score,
    from cv_models
),

nlp as (
    select
        'nlp' as domain,
        model,
        cast(null as varchar) as extra_data,
        cast(null as varchar) as architecture,
        release_date,
        release_year_decimal,
        params_millions,
        gflops as reported_gflops,
        gflops_convention,
        gflops_marker,
        input_tokens,
        'glue_score' as score_metric,
        glue_score as score,
    from nlp_models
),

unioned as (
    select * from cv
    union all
    select * from nlp
),

final as (
    select
        domain,
        model,
        extra_data,
        architecture,
        release_date,
        year(release_date) as release_year,
        release_year_decimal,
        params_millions,
        reported_gflops,
        gflops_convention,
        reported_gflops * case when gflops_convention = 'multiply-adds' then 2 else 1 end as gflops,
        reported_gflops * case when gflops_convention = 'multiply-adds' then 2 else 1 end
            / input_tokens as gflops_per_token,
        gflops_marker = '*' as gflops_is_estimate,
        input_tokens,
        score_metric,
        score,
    from unioned
)

select * from final
