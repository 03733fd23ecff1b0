-- How close are the paper's energy estimates to energy measured on real GPUs?
-- Table K.10: NVML measurements of Tang et al. [103] beside the same-formula estimate at the
-- GPU's launch date (energy_validation).
select
    model,
    device,
    round(measured_joules, 3) as measured_joules,
    round(estimated_joules, 3) as estimated_joules,
    round(100 * relative_error, 1) as error_percent,
from energy_validation
where paper_source = 'Table K.10'
order by model, device;
