-- Which image models need within 10% of AlexNet's FLOPs, and how accurate are they?
-- Table 1 of the paper makes the same point with a hand-picked list of models of similar
-- compute (flops_peers widens the band by a ratio).
with alexnet as (
    select gflops as alexnet_gflops from model_flops where domain = 'cv' and model = 'AlexNet'
)

select model, extra_data, release_year, gflops, score as top1_accuracy
from model_flops
cross join alexnet
where domain = 'cv' and abs(gflops - alexnet_gflops) <= 0.10 * alexnet_gflops
order by release_year, top1_accuracy desc, model, extra_data;
