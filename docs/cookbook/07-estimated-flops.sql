-- Which GFLOPs are the authors' estimates, and what do the scaling rules of Appendix H give?
-- The * marker (markers table) flags an estimated value; flops_estimates recomputes each one
-- from its base model and scale factors.
select
    model,
    base_model,
    formula,
    printed_gflops,
    round(estimated_gflops, 1) as recomputed_gflops,
from flops_estimates
order by model;
