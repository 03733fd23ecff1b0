-- Which was the most accurate image model of each year, and what did one inference cost?
-- best_models_per_year is the point set of the dashed lines of Figures 3 and 9.
select release_year, model, extra_data, score as top1_accuracy, gflops, round(joules, 3) as joules
from best_models_per_year
where domain = 'cv' and selection = 'best_score_per_year'
order by release_year, model, extra_data;
