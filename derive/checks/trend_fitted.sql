-- check: both domains (cv, nlp) have an efficiency trend fitted on at least 3 GPUs, with a finite, positive slope
-- code: sql-trend-not-fitted
-- Why: every Joule estimate divides by this trend; a missing or flat trend makes them all meaningless.
-- Returns: one row per domain without a usable trend.
with

efficiency_trend as (
    select * from main.efficiency_trend
),

domains as (
    select unnest(['cv', 'nlp']) as domain
),

final as (
    select domains.domain, efficiency_trend.n, efficiency_trend.slope_log10_per_year
    from domains
    left join efficiency_trend on efficiency_trend.domain = domains.domain
    where efficiency_trend.n is null
        or efficiency_trend.n < 3
        or efficiency_trend.slope_log10_per_year is null
        or not isfinite(efficiency_trend.slope_log10_per_year)
        or efficiency_trend.slope_log10_per_year <= 0
)

select * from final
