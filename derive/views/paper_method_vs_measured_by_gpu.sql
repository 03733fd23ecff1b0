-- paper_method_vs_measured_by_gpu: the measured energy against the paper's estimates
--   (paper_method_vs_measured), summed up per set of measurements and accelerator.
-- Grain: one row per measurement set and gpu (key: measurement_set, gpu).
-- Inputs: paper_method_vs_measured.
-- Formula: measurement_set = 'MLPerf ResNet-50', 'MLPerf BERT' (the other MLPerf rows) or
--   'ML.ENERGY LLMs'; n = measurements; geomean_ratio_to_peak = exp(avg(ln(ratio_to_peak)))
--   (the geometric mean: ratios multiply), min_ratio and max_ratio of ratio_to_peak;
--   geomean_ratio_to_trend the same of ratio_to_trend.
-- Reproduces: nothing printed; the table under the docs figure "The paper's estimate against
--   measurement".
with

compared as (
    select * from paper_method_vs_measured
),

final as (
    select
        case
            when source = 'mlperf' and model = 'resnet50' then 'MLPerf ResNet-50'
            when source = 'mlperf' then 'MLPerf BERT'
            else 'ML.ENERGY LLMs'
        end as measurement_set,
        gpu,
        count(*) as n,
        exp(avg(ln(ratio_to_peak) order by ratio_to_peak)) as geomean_ratio_to_peak,
        min(ratio_to_peak) as min_ratio,
        max(ratio_to_peak) as max_ratio,
        exp(avg(ln(ratio_to_trend) order by ratio_to_trend)) as geomean_ratio_to_trend,
    from compared
    group by all
)

select * from final
