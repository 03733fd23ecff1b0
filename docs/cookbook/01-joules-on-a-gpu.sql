-- How much energy does one forward pass of ResNet-50 take on a given GPU?
-- The table macro joules_on_gpu(gpu, precision) divides every model's GFLOPs by one GPU's
-- efficiency: its peak GFLOPS/W (Table J.8) for FP32/FP16, or its adapted, measured-speed-up
-- efficiency (Table J.9) for Mixed and TF32. GPU names match loosely ('T4' = 'Tesla T4').
select gpu, precision, round(gflops_per_watt, 2) as gflops_per_watt, round(joules, 4) as joules
from (
    select * from joules_on_gpu('Tesla V100', 'FP32')
    union all
    select * from joules_on_gpu('Tesla V100', 'Mixed')
    union all
    select * from joules_on_gpu('A100', 'Mixed')
    union all
    select * from joules_on_gpu('T4', 'Mixed')
)
where model = 'ResNet-50'
order by joules desc;
