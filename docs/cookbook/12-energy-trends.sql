-- Is the energy of an inference growing, and how fast?
-- model_trends fits log10(Joules) against the release date: over all models (the solid lines
-- of Figures 9-10) and over the selected cutting-edge models (the dashed lines).
select
    domain,
    series,
    n as models,
    round(growth_factor_per_year, 3) as growth_per_year,
    round(doubling_years, 2) as doubling_years,
    round(r2, 3) as r2,
from model_trends
where metric = 'joules'
order by domain, series;
