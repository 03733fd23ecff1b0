-- pareto_frontier: which models are on the score-vs-cost Pareto frontier of Figs. 4, 11, 12.
-- Grain: one row per figure and model with a score (key: figure, model, extra_data).
-- Inputs: inference_energy.
-- Formula: a model is on the frontier when no other model of the figure has a lower or
--   equal cost and a higher or equal score with at least one of the two strictly better.
--   Computed in O(n log n): per distinct cost the best score, then the best score at any
--   strictly lower cost (a running max); a model is on the frontier when its score is the
--   best at its cost and beats every cheaper model. Fig. 4: CV Top-1 accuracy vs GFLOPs;
--   Fig. 11: CV Top-1 accuracy vs Joules; Fig. 12: NLP GLUE score vs Joules.
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

best_at_cost as (
    select figure, cost, max(score) as best_score
    from points
    group by figure, cost
),

best_below as (
    select
        figure,
        cost,
        best_score,
        max(best_score) over (
            partition by figure order by cost rows between unbounded preceding and 1 preceding
        ) as best_score_at_lower_cost,
    from best_at_cost
),

final as (
    select
        points.figure,
        points.domain,
        points.model,
        points.extra_data,
        points.release_date,
        points.cost_metric,
        points.cost,
        points.score_metric,
        points.score,
        points.score = best_below.best_score
            and (best_below.best_score_at_lower_cost is null or points.score > best_below.best_score_at_lower_cost)
            as on_frontier,
    from points
    inner join best_below on best_below.figure = points.figure and best_below.cost = points.cost
    order by points.figure, points.cost, points.score desc, points.model
)

select * from final
