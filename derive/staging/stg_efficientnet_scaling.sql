-- stg_efficientnet_scaling: the efficientnet_scaling table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per model (key: model), as in efficientnet_scaling.
-- Inputs: efficientnet_scaling (tables/efficientnet_scaling.csv).
-- Formula: every column of efficientnet_scaling, unchanged.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from efficientnet_scaling
),

final as (
    select
        *,
    from source
)

select * from final
