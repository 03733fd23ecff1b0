-- stg_cv_models: the cv_models table as the views read it, typed by its Table Schema (the
--   build loads it so), with what the views join on computed once.
-- Grain: one row per model and training-data variant (key: model, extra_data), as in cv_models.
-- Inputs: cv_models (tables/cv_models.csv).
-- Formula: every column of cv_models; release_year_decimal = decimal_year(release_date), the
--   x-variable of the model trends.
-- Why: the views read tables only through staging, so a derived key or date variable is
--   written once, here.
with

source as (
    select * from cv_models
),

final as (
    select
        *,
        decimal_year(release_date) as release_year_decimal,
    from source
)

select * from final
