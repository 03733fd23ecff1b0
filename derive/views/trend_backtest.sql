-- trend_backtest: how far the paper's GPU-efficiency trend (Fig. 8) was from the accelerators
--   released after the paper, and how far the trend refitted with them is.
-- Grain: one row per domain (cv, nlp), added accelerator and precision (key: domain, gpu,
--   precision): every row of gpus added after the paper, at each of its precisions (FP32,
--   TF32 Tensor, FP16/BF16 Tensor), GPUs, TPUs and others alike.
-- Inputs: gpu_peak_efficiency (gpus), efficiency_trend_fits, trend_fit_inputs.
-- Formula: gflops_per_watt = tflops * 1000 / tdp_watts (the accelerator's peak, not a
--   measured throughput). paper_trend_gflops_per_watt = 10^(intercept + slope *
--   decimal_year(launch_date)) of the domain's 'paper' fit, i.e. Fig. 8 extrapolated to the
--   launch date; ratio_to_paper_trend = gflops_per_watt / paper_trend_gflops_per_watt (above 1:
--   the accelerator beats the trend); years_ahead_of_paper_trend = log10(ratio) / slope: how
--   many years later the paper's trend reaches this efficiency (negative: it got there
--   earlier). refit_* = the same against the 'all' fit (efficiency_trend_fits); in_refit says
--   whether the row is one of that fit's points (FP32 rows of GPUs, see trend_fit_inputs).
-- Reproduces: nothing printed; a backtest of Fig. 8 with data the paper could not have
--   (docs page "Five years later").
with

peak_efficiencies as (
    select * from gpu_peak_efficiency
),

trend_fits as (
    select * from efficiency_trend_fits
),

fit_points as (
    select * from trend_fit_inputs
),

added as (
    select *
    from peak_efficiencies
    where not is_paper_row
),

paper_fit as (
    select * from trend_fits where row_set = 'paper'
),

refit as (
    select * from trend_fits where row_set = 'all'
),

refit_points as (
    select domain, gpu, precision
    from fit_points
    where row_set = 'all' and not is_paper_row
),

evaluated as (
    select
        paper_fit.domain,
        added.gpu,
        added.gpu_key,
        added.precision,
        added.vendor,
        added.accelerator_kind,
        added.launch_date,
        added.launch_year_decimal,
        added.tflops,
        added.tdp_watts,
        added.gflops_per_watt,
        paper_fit.slope_log10_per_year as paper_slope,
        trend_value(paper_fit.intercept, paper_fit.slope_log10_per_year, added.launch_date)
            as paper_trend_gflops_per_watt,
        refit.slope_log10_per_year as refit_slope,
        trend_value(refit.intercept, refit.slope_log10_per_year, added.launch_date) as refit_trend_gflops_per_watt,
        refit_points.gpu is not null as in_refit,
    from added
    cross join paper_fit
    inner join refit on refit.domain = paper_fit.domain
    left join refit_points
        on refit_points.domain = paper_fit.domain
        and refit_points.gpu = added.gpu
        and refit_points.precision = added.precision
),

final as (
    select
        domain,
        gpu,
        gpu_key,
        precision,
        vendor,
        accelerator_kind,
        launch_date,
        launch_year_decimal,
        tflops,
        tdp_watts,
        gflops_per_watt,
        paper_trend_gflops_per_watt,
        gflops_per_watt / paper_trend_gflops_per_watt as ratio_to_paper_trend,
        log10(gflops_per_watt / paper_trend_gflops_per_watt) / paper_slope as years_ahead_of_paper_trend,
        refit_trend_gflops_per_watt,
        gflops_per_watt / refit_trend_gflops_per_watt as ratio_to_refit_trend,
        in_refit,
    from evaluated
)

select * from final
