-- pareto_frontier: the models on the score-vs-cost Pareto frontier of Figs. 4, 11 and 12.
-- Grain: one row per figure and frontier model (key: figure, model, extra_data); the other
--   points of the figures are in inference_energy.
-- Inputs: inference_energy.
-- Formula: a model is on the frontier when no other model of the figure has a lower or
--   equal cost and a higher or equal score with at least one of the two strictly better.
--   Computed in O(n log n) on the distinct (cost, score) points: ordered by cost, then score
--   descending, a point is on the frontier when its score beats the best score of all earlier
--   points (those with a lower cost, or the same cost and a higher score: exactly those that
--   could dominate it). Models sharing a frontier point are all on the frontier (neither
--   dominates the other). Before the sort, an exact prefilter drops every model beaten by
--   a model of a lower cost band, so 1M models stay fast. Costs are > 0 (schema constraint).
--   Fig. 4: CV Top-1 accuracy vs GFLOPs; Fig. 11: CV Top-1 accuracy vs Joules; Fig. 12: NLP
--   GLUE score vs Joules.
-- Reproduces: the grey frontier lines of Figs. 4, 11 and 12 (not printed as lists).
with

model_energy as (
    select * from inference_energy
),

points as (
    select 'Fig. 4' as figure, domain, model, extra_data, release_date, 'gflops' as cost_metric, gflops as cost,
        score_metric, score
    from model_energy where domain = 'cv' and score is not null
    union all
    select 'Fig. 11', domain, model, extra_data, release_date, 'joules', joules, score_metric, score
    from model_energy where domain = 'cv' and score is not null
    union all
    select 'Fig. 12', domain, model, extra_data, release_date, 'joules', joules, score_metric, score
    from model_energy where domain = 'nlp' and score is not null
),

-- a cheap, exact prefilter: a model whose score does not beat the best score of a lower
-- cost band (100 bands per decade of cost) is dominated by a cheaper model, so only the
-- survivors need the sorted pass
bands as (
    select figure, cost, score, floor(log10(cost) * 100) as band
    from points
),

band_best as (
    select figure, band, max(score) as best_score
    from bands
    group by figure, band
),

band_running as (
    select
        figure,
        band,
        max(best_score) over (
            partition by figure order by band rows between unbounded preceding and 1 preceding
        ) as best_score_of_cheaper_bands,
    from band_best
),

candidates as (
    select distinct bands.figure, bands.cost, bands.score
    from bands
    inner join band_running on band_running.figure = bands.figure and band_running.band = bands.band
    where band_running.best_score_of_cheaper_bands is null
        or bands.score > band_running.best_score_of_cheaper_bands
),

dominance as (
    select
        *,
        max(score) over (
            partition by figure order by cost asc, score desc
            rows between unbounded preceding and 1 preceding
        ) as best_score_of_cheaper_or_better,
    from candidates
),

frontier as (
    select figure, cost, score
    from dominance
    where best_score_of_cheaper_or_better is null or score > best_score_of_cheaper_or_better
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
    from points
    inner join frontier
        on frontier.figure = points.figure
        and frontier.cost = points.cost
        and frontier.score = points.score
    order by points.figure, points.cost
)

select * from final
