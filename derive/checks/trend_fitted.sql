-- check: both domains (cv, nlp) have an efficiency trend fitted on at least 3 GPUs, with a finite, positive slope
-- code: sql-trend-not-fitted
-- Why: every Joule estimate divides by this trend; a missing or flat trend makes them all meaningless.
-- Returns: one row per domain without a usable trend.
with

trends as (
    select * from efficiency_trend
),

domains as (
    select unnest(['cv', 'nlp']) as domain
),

final as (
    select domains.domain, trends.n, trends.slope_log10_per_year
    from domains
    left join trends on trends.domain = domains.domain
    where trends.n is null
        or trends.n < 3
        or trends.slope_log10_per_year is null
        or not isfinite(trends.slope_log10_per_year)
        or trends.slope_log10_per_year <= 0
)

select * from final
