-- Which language models cost least per token of input, and what GLUE score do they reach?
-- GFLOPs are per forward pass of input_tokens tokens, so divide before comparing; the
-- glue_score_marker says whether the score leaves out WNLI (♣) or is a dev-set score (♠).
select
    model_flops.model,
    model_flops.input_tokens,
    model_flops.gflops,
    round(model_flops.gflops_per_token, 4) as gflops_per_token,
    nlp_models.glue_score,
    nlp_models.glue_score_marker,
from model_flops
inner join nlp_models on nlp_models.model = model_flops.model
where model_flops.domain = 'nlp'
order by gflops_per_token, model_flops.model
limit 8;
