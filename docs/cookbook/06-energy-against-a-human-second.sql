-- How do the most energy-hungry models compare with the energy a human uses in one second?
-- The paper's references (Section 8): about 100 J for the human body, about 10,000 J with
-- everything a person uses (human_energy_reference); Figures 13-14.
select
    domain,
    model,
    round(joules, 2) as joules,
    round(share_of_somatic_second, 4) as share_of_body_second,
    round(passes_per_somatic_second, 1) as passes_per_body_second,
from human_energy_comparison
order by joules desc
limit 5;
