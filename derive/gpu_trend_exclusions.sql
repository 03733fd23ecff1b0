-- gpu_trend_exclusions: the FP32 rows of Table J.8 that Table J.9 (and so the Fig. 8 trend)
--   leaves out, with the reason.
-- Grain: one row per excluded GPU and precision.
-- Inputs: none (the membership of Table J.9 is a fact about the paper, not a computation).
-- Formula: a fixed list. A100 FP32 is replaced by the A100 TF32 and Mixed rows (App. F:
--   "FP32 is substituted by TF32"). Tesla P100, A30 and A40 are in J.8 but not in J.9 and the
--   paper does not say why. Evidence that J.9 really is the fit's input: with these rows left
--   out the CV trend reproduces all 12 estimates of Table K.10; with the P100 FP32 row added
--   7 of the 12 no longer match.
-- Reproduces: the row set of Table J.9.
with

listed (gpu, precision, reason) as (
    values
        ('A100', 'FP32', 'replaced by the A100 TF32 and Mixed rows adapted from Table E.3 (App. F)'),
        ('Tesla P100', 'FP32', 'in Table J.8 but not in Table J.9; the paper gives no reason'),
        ('A30', 'FP32', 'in Table J.8 but not in Table J.9; the paper gives no reason'),
        ('A40', 'FP32', 'in Table J.8 but not in Table J.9; the paper gives no reason')
),

final as (
    select gpu, precision, reason from listed
)

select * from final
