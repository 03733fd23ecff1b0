-- Which image models are on the accuracy-energy Pareto frontier?
-- No other model is both cheaper (Joules per forward pass) and more accurate; the grey line of
-- Figure 11 (pareto_frontier).
select model, extra_data, year(release_date) as release_year, round(cost, 4) as joules, score as top1_accuracy
from pareto_frontier
where figure = 'Fig. 11'
order by cost, model, extra_data;
