-- stg_flops_estimate_rules: the flops_estimate_rules table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per estimated model (key: model), as in flops_estimate_rules.
-- Inputs: flops_estimate_rules (tables/flops_estimate_rules.csv).
-- Formula: every column of flops_estimate_rules, unchanged.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from flops_estimate_rules
),

final as (
    select
        *,
    from source
)

select * from final
