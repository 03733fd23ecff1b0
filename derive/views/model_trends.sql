-- model_trends: exponential trends of inference compute (GFLOPs) and energy (Joules) over time.
-- Grain: one row per domain, metric (gflops, joules) and series (key: domain, metric, series).
--   series 'all_models' = the solid lines; 'best_score_per_year' and (NLP) 'gflops_record' =
--   the dashed lines, fitted on the models of best_models_per_year.
-- Inputs: inference_energy, best_models_per_year.
-- Formula: least-squares fit of log10(value) on release_year_decimal (= decimal_year(release_date),
--   computed in staging; regr_slope, regr_intercept, regr_r2); doubling_years = log10(2) / slope
--   (negative = halving).
-- Reproduces: the fitted lines of Fig. 3 (CV GFLOPs), Fig. 6 (NLP GFLOPs, dashed line =
--   gflops_record), Fig. 9 (CV Joules) and Fig. 10 (NLP Joules). The paper prints no
--   coefficients, so these are not checked against printed numbers.
with

model_energy as (
    select * from inference_energy
),

best_models as (
    select * from best_models_per_year
),

points as (
    select domain, 'all_models' as series, release_date, release_year_decimal, gflops, joules from model_energy
    union all
    select domain, selection as series, release_date, release_year_decimal, gflops, joules from best_models
),

long as (
    select domain, series, 'gflops' as metric, release_date, release_year_decimal, gflops as value from points
    union all
    select domain, series, 'joules' as metric, release_date, release_year_decimal, joules as value from points
),

fits as (
    select
        domain,
        metric,
        series,
        regr_slope(log10(value), release_year_decimal order by release_year_decimal, value) as slope_log10_per_year,
        regr_intercept(log10(value), release_year_decimal order by release_year_decimal, value) as intercept,
        regr_r2(log10(value), release_year_decimal order by release_year_decimal, value) as r2,
        count(*) as n,
        min(release_date) as first_release_date,
        max(release_date) as last_release_date,
    from long
    group by domain, metric, series
),

final as (
    select
        domain,
        metric,
        series,
        case
            when domain = 'cv' and metric = 'gflops' then 'Fig. 3'
            when domain = 'nlp' and metric = 'gflops' then 'Fig. 6'
            when domain = 'cv' and metric = 'joules' then 'Fig. 9'
            else 'Fig. 10'
        end as figure,
        slope_log10_per_year,
        intercept,
        r2,
        n,
        doubling_years(slope_log10_per_year) as doubling_years,
        growth_factor_per_year(slope_log10_per_year) as growth_factor_per_year,
        first_release_date,
        last_release_date,
    from fits
    order by domain, metric, series
)

select * from final
