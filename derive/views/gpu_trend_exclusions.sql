-- gpu_trend_exclusions: the FP32 rows of Table J.8 that Table J.9 (and so the Fig. 8 trend)
--   leaves out, with the reason.
-- Grain: one row per excluded GPU and precision.
-- Inputs: gpus (the in_table_j9 column: J.9's row set, a fact printed in the paper),
--   precision_speedups (Table F.4: which GPUs get adapted rows instead).
-- Formula: the paper's FP32 rows with in_table_j9 = false. A GPU with adapted speed-ups whose
--   own FP32 row is left out (the A100) is replaced by its adapted rows (App. F: "FP32 is
--   substituted by TF32"); the others (Tesla P100, A30, A40) are in J.8 but not in J.9 and the
--   paper does not say why. Evidence that J.9 really is the fit's input: with these rows left
--   out the CV trend reproduces all 12 estimates of Table K.10; with the P100 FP32 row added
--   7 of the 12 no longer match.
-- Reproduces: the row set of Table J.9 (its complement among J.8's FP32 rows).
with

gpus as (
    select * from stg_gpus
),

mean_speedups as (
    select * from precision_speedups
),

adapted_precisions as (
    select gpu_key, string_agg(distinct precision, ' and ' order by precision desc) as precisions
    from mean_speedups
    group by gpu_key
),

left_out as (
    select gpu, gpu_key, precision
    from gpus
    where paper_source is not null
        and precision = 'FP32'
        and not in_table_j9
),

final as (
    select
        left_out.gpu,
        left_out.precision,
        case
            when adapted_precisions.gpu_key is not null
                then 'replaced by the ' || left_out.gpu || ' ' || adapted_precisions.precisions
                    || ' rows adapted from Table E.3 (App. F)'
            else 'in Table J.8 but not in Table J.9; the paper gives no reason'
        end as reason,
    from left_out
    left join adapted_precisions on adapted_precisions.gpu_key = left_out.gpu_key
)

select * from final
