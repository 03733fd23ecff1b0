-- params_flops_correlation: the correlation between parameters and GFLOPs of the CV models.
-- Grain: one row per architecture of Table B.2 (CNN, Transformer, Hybrid).
-- Inputs: model_flops (Table B.2).
-- Formula: pearson_r = Pearson correlation of params_millions and gflops (raw values, not
--   logs) over the distinct (params, GFLOPs) points of Fig. 1: models that share both values
--   (EfficientNet-Bx and NoisyStudent-Bx, ViT-L/16 with two training sets, ...) are one point.
--   Hybrid models (BotNet) are in neither group. Also given: the correlation over every row,
--   and over log10 values.
-- Reproduces: the correlations quoted with Fig. 1 (Section 4.1): CNN 0.772 (0.77158; over all
--   72 rows it would be 0.782, on logs 0.915, with Hybrids 0.771). Transformers give 0.99467,
--   printed 0.994 (erratum: truncation would give 0.994 but then CNN would be 0.771; over all
--   rows 0.993).
with

models as (
    select * from model_flops
),

cv as (
    select architecture, params_millions, gflops
    from models
    where domain = 'cv' and params_millions is not null
),

distinct_points as (
    select distinct architecture, params_millions, gflops
    from cv
),

over_points as (
    select
        architecture,
        count(*) as n_points,
        corr(params_millions, gflops order by params_millions, gflops) as pearson_r,
        corr(log10(params_millions), log10(gflops) order by params_millions, gflops) as pearson_r_log10,
    from distinct_points
    group by architecture
),

over_rows as (
    select
        architecture,
        count(*) as n_models,
        corr(params_millions, gflops order by params_millions, gflops) as pearson_r_all_rows,
    from cv
    group by architecture
),

final as (
    select
        over_points.architecture,
        over_rows.n_models,
        over_points.n_points,
        over_points.pearson_r,
        over_rows.pearson_r_all_rows,
        over_points.pearson_r_log10,
    from over_points
    inner join over_rows on over_rows.architecture = over_points.architecture
    order by over_points.architecture
)

select * from final
