-- How much energy would one ResNet-50 forward pass take on the accelerators released after the paper?
-- joules_on_gpu(gpu, precision), called once per accelerator added to gpus after the paper, at
-- FP32 and at its dense 16-bit tensor peak ('FP16/BF16 Tensor'). These are peak figures over TDP,
-- not measured throughput: real inference gets less (Appendix F; cookbook 08 shows the gap for
-- the paper's GPUs), so read both columns as floors. The last column is what the paper's CV
-- trend (trend_efficiency_at, Fig. 8 extrapolated) predicted for a GPU launched that day.
with added as (
    select distinct gpu, vendor, accelerator_kind, launch_date
    from gpus
    where paper_source is null
),

fp32 as (
    select added.gpu, on_gpu.joules
    from added, lateral (select * from joules_on_gpu(added.gpu, 'FP32') where model = 'ResNet-50') as on_gpu
),

tensor as (
    select added.gpu, on_gpu.gflops, on_gpu.joules
    from added, lateral (select * from joules_on_gpu(added.gpu, 'FP16/BF16 Tensor') where model = 'ResNet-50') as on_gpu
),

trend as (
    select added.gpu, at_launch.gflops_per_watt
    from added, lateral (select * from trend_efficiency_at('cv', added.launch_date)) as at_launch
)

select
    added.gpu,
    added.vendor,
    added.accelerator_kind as kind,
    added.launch_date,
    round(fp32.joules * 1000, 2) as fp32_millijoules,
    round(tensor.joules * 1000, 2) as tensor_peak_millijoules,
    round(tensor.gflops / trend.gflops_per_watt * 1000, 2) as paper_trend_millijoules,
from added
left join fp32 on fp32.gpu = added.gpu
left join tensor on tensor.gpu = added.gpu
left join trend on trend.gpu = added.gpu
order by added.launch_date, added.gpu;
