-- best_models_per_year: the models the dashed trend lines of Figs. 3, 6, 9 and 10 are fitted on.
-- Grain: one row per domain, selection and selected model (key: domain, selection, model,
--   extra_data).
-- Inputs: inference_energy (models with GFLOPs, Joules and score).
-- Formula: selection 'best_score_per_year': per domain and calendar year of release, the
--   model(s) with the highest score (Top-1 accuracy for CV, Figs. 3 and 9: "the models with
--   highest accuracy for each year"; GLUE for NLP, Fig. 10: "same interpretation as in
--   Fig. 9"; ties are all kept; NLP models without a GLUE score cannot be selected).
--   Selection 'gflops_record' (NLP, Fig. 6: "models that, when released, become the most
--   demanding model"): a model whose GFLOPs exceed those of every model released before it
--   and are the largest of its release date.
-- Reproduces: the point sets of the dashed lines of Figs. 3, 6, 9, 10 (not printed as lists).
with

model_energy as (
    select * from inference_energy
),

-- a hash aggregate and join rather than a window: no sort of every model
best_of_year as (
    select domain, release_year, max(score) as best_score
    from model_energy
    where score is not null
    group by domain, release_year
),

best_score as (
    select 'best_score_per_year' as selection, model_energy.*,
    from model_energy
    inner join best_of_year
        on best_of_year.domain = model_energy.domain
        and best_of_year.release_year = model_energy.release_year
        and best_of_year.best_score = model_energy.score
),

nlp as (
    select * from model_energy where domain = 'nlp'
),

by_date as (
    select release_date, max(gflops) as max_gflops_on_date
    from nlp
    group by release_date
),

running as (
    select
        *,
        max(max_gflops_on_date) over (
            order by release_date rows between unbounded preceding and 1 preceding
        ) as max_gflops_before,
    from by_date
),

gflops_record as (
    select 'gflops_record' as selection, nlp.*,
    from nlp
    inner join running on running.release_date = nlp.release_date
    where nlp.gflops = running.max_gflops_on_date
        and (running.max_gflops_before is null or nlp.gflops > running.max_gflops_before)
),

unioned as (
    select * from best_score
    union all by name
    select * from gflops_record
),

final as (
    select
        domain,
        selection,
        release_year,
        model,
        extra_data,
        release_date,
        release_year_decimal,
        score_metric,
        score,
        gflops,
        joules,
    from unioned
    order by domain, selection, release_date, model
)

select * from final
