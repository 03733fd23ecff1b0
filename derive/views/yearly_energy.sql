-- yearly_energy: the average estimated energy per forward pass of each year's models.
-- Grain: one row per domain and calendar year of release.
-- Inputs: inference_energy.
-- Formula: mean_joules = arithmetic mean of the year's Joules (the dotted line of Fig. 9,
--   "the average Joules for each year"); also the median, the range and the count.
-- Reproduces: the dotted lines of Figs. 9 and 10 (not printed as numbers).
with

model_energy as (
    select * from inference_energy
),

final as (
    select
        domain,
        release_year,
        count(*) as n_models,
        avg(joules order by joules) as mean_joules,
        median(joules) as median_joules,
        min(joules) as min_joules,
        max(joules) as max_joules,
        avg(gflops order by gflops) as mean_gflops,
    from model_energy
    group by domain, release_year
    order by domain, release_year
)

select * from final
