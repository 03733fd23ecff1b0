-- What is the cheapest image model above 80% Top-1 accuracy?
-- Cheapest by estimated energy per forward pass at its release date (inference_energy); with
-- and without extra training data, which costs training compute but not inference FLOPs.
select model, extra_data, release_year, score as top1_accuracy, gflops, round(joules, 4) as joules
from inference_energy
where domain = 'cv' and score > 80
order by joules, model, extra_data
limit 5;
