-- stg_vit_flops_by_resolution: the vit_flops_by_resolution table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per model and resolution (key: model, resolution_px), as in vit_flops_by_resolution.
-- Inputs: vit_flops_by_resolution (tables/vit_flops_by_resolution.csv).
-- Formula: every column of vit_flops_by_resolution, unchanged.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from vit_flops_by_resolution
),

final as (
    select
        *,
    from source
)

select * from final
