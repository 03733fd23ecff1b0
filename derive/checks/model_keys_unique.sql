-- check: model_flops has one row per domain, model and extra data (NULL extra data counted as a value)
-- code: sql-duplicate-model
-- Why: the primary key of cv_models allows one NULL-extra-data row per model only if NULLs compare equal; every per-model view relies on it.
-- Returns: one row per duplicated key.
with

models as (
    select * from model_flops
),

final as (
    select domain, model, coalesce(extra_data, '') as extra_data, count(*) as n_rows
    from models
    group by domain, model, coalesce(extra_data, '')
    having count(*) > 1
)

select * from final
