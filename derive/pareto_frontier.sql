-- pareto_frontier: which models are on the score-vs-cost Pareto frontier of Figs. 4, 11, 12.
-- Grain: one row per figure and model with a score (key: figure, model, extra_data).
-- Inputs: inference_energy.
-- Formula: a model is on the frontier when no other model of the figure has a lower or
--   equal cost and a higher or equal score with at least one of the two strictly better.
--   Computed in O(n log n) with one window: ordered by cost, then score descending, a model is
--   on the frontier when its score beats the best score of all earlier window groups (the
--   models with a lower cost, or the same cost and a higher score: exactly those that could
--   dominate it); identical points share a group, so neither dominates the other.
--   Fig. 4: CV Top-1 accuracy vs GFLOPs; Fig. 11: CV Top-1 accuracy vs Joules; Fig. 12: NLP
--   GLUE score vs Joules.
-- Reproduces: the grey frontier lines of Figs. 4, 11 and 12 (not printed as lists).
with

inference_energy as (
    select * from inference_energy
),

points as (
    select 'Fig. 4' as figure, domain, model, extra_data, release_date, 'gflops' as cost_metric, gflops as cost,
        score_metric, score
    from inference_energy where domain = 'cv' and score is not null
    union all
    select 'Fig. 11', domain, model, extra_data, release_date, 'joules', joules, score_metric, score
    from inference_energy where domain = 'cv' and score is not null
    union all
    select 'Fig. 12', domain, model, extra_data, release_date, 'joules', joules, score_metric, score
    from inference_energy where domain = 'nlp' and score is not null
),

dominance as (
    select
        *,
        max(score) over (
            partition by figure order by cost asc, score desc
            groups between unbounded preceding and 1 preceding
        ) as best_score_of_cheaper_or_better,
    from points
),

final as (
    select
        figure,
        domain,
        model,
        extra_data,
        release_date,
        cost_metric,
        cost,
        score_metric,
        score,
        best_score_of_cheaper_or_better is null or score > best_score_of_cheaper_or_better as on_frontier,
    from dominance
)

select * from final
