-- How much energy did the most efficient ResNet-50 system spend per image in each MLPerf round?
-- mlperf_best_per_round: the lowest whole-system wall energy per sample (average power over
-- Offline throughput) of the closed division in each round, with the result ID (from v4.1 on;
-- earlier rounds publish none in their repositories: name them by round, submitter and system)
-- and a log-linear fit over the rounds next to the paper's 2.64-year efficiency doubling.
-- J per sample is derived from MLPerf results; it is not an official MLPerf metric.
select
    round,
    result_id,
    submitter,
    system_name,
    accelerator,
    precision,
    run_date,
    round(best_joules * 1000, 3) as millijoules_per_image,
    round(halving_years, 2) as halving_years,
    round(paper_doubling_years, 2) as paper_doubling_years,
from mlperf_best_per_round
where benchmark = 'resnet50'
order by round
