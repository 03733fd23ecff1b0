-- How fast does GPU efficiency for inference grow?
-- efficiency_trend fits log10(GFLOPS/W) against the launch date over the GPUs of Table J.9
-- (Figure 8); the doubling time is log10(2) / slope.
select
    domain,
    round(doubling_years, 2) as doubling_years,
    round(growth_factor_per_year, 3) as growth_per_year,
    n as gpus,
    round(r2, 3) as r2,
from efficiency_trend
order by domain;
