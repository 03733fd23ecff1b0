-- trend_efficiency_at(domain_name, at_date): the trend GPU efficiency of a domain at a date.
-- Grain: table macro, one row (or none for an unknown domain).
-- Inputs: efficiency_trend (Fig. 8).
-- Formula: gflops_per_watt = 10^(intercept + slope_log10_per_year * decimal_year(at_date)).
-- Example: select * from trend_efficiency_at('cv', date '2016-05-20')  -- the P100's launch,
--   about 40.3 GFLOPS/W (Table K.10's P100 estimates divide GFLOPs by this).
-- Reproduces: the efficiency used in Section 7 (at a model's release date) and Appendix K
--   (at a GPU's launch date).
create macro trend_efficiency_at(domain_name, at_date) as table
    with

    trends as (
        select * from efficiency_trend
    ),

    final as (
        select
            domain,
            cast(at_date as date) as at_date,
            trend_value(intercept, slope_log10_per_year, cast(at_date as date)) as gflops_per_watt,
        from trends
        where domain = lower(domain_name)
    )

    select * from final
