-- human_energy_reference: the two human energy references of Section 8 (Figs. 13, 14).
-- Grain: one row per reference (somatic, external).
-- Inputs: human_energy_inputs (the two figures stated in Section 8: 2000 kcal per person per
--   day (somatic) and 79,897 kWh per person per year in the USA in 2019 (external, ref. 54)).
-- Formula: joules_per_second = kcal/day x 4184 J/kcal / 86,400 s (= 96.85 J/s), or
--   kWh/year x 3.6e6 J/kWh / (365 x 86,400 s) (= 9,120.7 J/s); paper_joules_per_second =
--   the same to the nearest power of ten (100 and 10,000), the values the paper draws.
-- Reproduces: "approximately 100 Joules/s" and "approximately 10,000 Joules every second".
with

inputs as (
    select * from stg_human_energy_inputs
),

final as (
    select
        reference,
        description,
        amount,
        unit,
        amount * joules_per_unit / seconds_per_period as joules_per_second,
        power(10, round(log10(amount * joules_per_unit / seconds_per_period))) as paper_joules_per_second,
    from inputs
)

select * from final
