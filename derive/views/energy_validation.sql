-- energy_validation: measured inference energy from other studies beside the paper's estimate.
-- Grain: one row per energy_measurements row (key: paper_source, model, device, precision).
-- Inputs: energy_measurements (Tables K.10, K.11, L.13), measured_model_names, gpu_peak_efficiency (launch dates,
--   J.8), model_flops (B.2 GFLOPs), efficiency_trend (Fig. 8, CV trend).
-- Formula: measured_joules = the NVML Joules of K.10, or power_watts / throughput_per_second
--   (K.11, L.13: "dividing the GPU power by the images per second"), unrounded.
--   estimated_joules = the model's B.2 GFLOPs / CV trend efficiency at the GPU's launch date
--   (App. K: "divide it by the hardware energy efficiency for the launch date of the GPU");
--   NULL for the edge devices of L.13 (the paper estimates none).
--   relative_error = (estimated - measured) / measured.
-- Printed precision: K.10 rounds to 3 decimals (all 12 NVML and 12 estimates match).
--   K.11 truncates to 4 decimals: 266/1515 = 0.17558 is printed 0.1755 and 288/5672 =
--   0.05078 is printed 0.0507 (rounding would give 0.1756 and 0.0508); all 6 measured
--   values match under truncation. Its estimates match for the RTX 2080 Ti (0.10215 ->
--   0.1021); those of the Titan RTX (0.0958) and the T4 (0.1026) are printed in each other's
--   row (erratum). L.13 rounds to 3 decimals: 7.55/13 = 0.5808 is printed 0.581 and
--   23.06/3525.91 = 0.0065 is printed 0.007; the Jetson Nano's 0.238 is not 10.00/42.65 =
--   0.2345 (erratum).
-- The model and GPU names of Appendix K differ from Tables B.2 and J.8 ("GoogleNet",
--   "Vgg16", "RTX 2080 Ti"); the model names are mapped by the table measured_model_names,
--   GPUs are matched on gpu_key.
-- Reproduces: Tables K.10, K.11 and L.13.
with

energy_measurements as (
    select * from stg_energy_measurements
),

peak_efficiencies as (
    select * from gpu_peak_efficiency
),

models as (
    select * from model_flops
),

trends as (
    select * from efficiency_trend
),

-- Appendix K's architecture names -> Table B.2's model names
model_names as (
    select * from stg_measured_model_names
),

launch_dates as (
    select gpu_key, min(launch_date) as launch_date, any_value(gpu) as gpu
    from peak_efficiencies
    group by gpu_key
),

cv_gflops as (
    select model, gflops
    from models
    where domain = 'cv' and extra_data is null
),

cv_trend as (
    select * from trends where domain = 'cv'
),

measured as (
    select
        paper_source,
        model,
        device,
        precision,
        method,
        device_launch_year,
        throughput_per_second,
        power_watts,
        device_key,
        coalesce(joules, power_watts / throughput_per_second) as measured_joules,
    from energy_measurements
),

final as (
    select
        measured.paper_source,
        measured.model,
        measured.device,
        measured.precision,
        measured.method,
        measured.throughput_per_second,
        measured.power_watts,
        measured.measured_joules,
        model_names.cv_model,
        cv_gflops.gflops,
        launch_dates.gpu as gpu,
        launch_dates.launch_date as gpu_launch_date,
        trend_value(cv_trend.intercept, cv_trend.slope_log10_per_year, launch_dates.launch_date)
            as trend_gflops_per_watt,
        cv_gflops.gflops / trend_gflops_per_watt as estimated_joules,
        (estimated_joules - measured.measured_joules) / measured.measured_joules as relative_error,
    from measured
    left join model_names on model_names.measured_model = measured.model
    left join cv_gflops on cv_gflops.model = model_names.cv_model
    -- only the GPUs of Appendix K are estimated; edge devices (L.13) are not
    left join launch_dates
        on launch_dates.gpu_key = measured.device_key
        and measured.paper_source in ('Table K.10', 'Table K.11')
    cross join cv_trend
    order by measured.paper_source, measured.model, launch_dates.launch_date, measured.device, measured.precision
)

select * from final
