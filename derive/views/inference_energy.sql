-- inference_energy: the estimated energy of one forward pass of every model.
-- Grain: one row per model and training-data variant (key: domain, model, extra_data).
-- Inputs: model_flops (Tables B.2, I.7), efficiency_trend (Fig. 8).
-- Formula: gflops_per_watt = the domain's trend efficiency at the model's release date,
--   10^(intercept + slope * decimal_year(release_date)); joules = gflops / gflops_per_watt
--   (Eqs. 1-2: FLOPs / (FLOPs per Joule)). CV models use the CV (CNN) trend, NLP models the
--   NLP trend, as Section 7 does.
-- Reproduces: Figs. 9-14 (the paper prints no per-model Joules; the same formula at GPU
--   launch dates reproduces Table K.10, see energy_validation).
with

models as (
    select * from model_flops
),

trends as (
    select * from efficiency_trend
),

with_efficiency as (
    select
        models.*,
        trend_value(trends.intercept, trends.slope_log10_per_year, models.release_date) as gflops_per_watt,
    from models
    inner join trends on trends.domain = models.domain
),

final as (
    select
        domain,
        model,
        extra_data,
        architecture,
        release_date,
        release_year,
        release_year_decimal,
        params_millions,
        gflops,
        gflops_per_token,
        input_tokens,
        gflops_per_watt,
        gflops / gflops_per_watt as joules,
        score_metric,
        score,
    from with_efficiency
)

select * from final
