-- check: every GPU measurement of Tables K.10 and K.11 gets an estimate (its model is found in cv_models and its GPU in gpus)
-- code: sql-measurement-not-estimated
-- Why: energy_validation maps Appendix K's names to Table B.2 and J.8; a new or renamed row would lose its estimate.
-- Returns: one row per K.10/K.11 measurement without an estimate.
with

validation_rows as (
    select * from energy_validation
),

final as (
    select paper_source, model, device, precision, cv_model, gpu
    from validation_rows
    where paper_source in ('Table K.10', 'Table K.11')
        and (estimated_joules is null or not isfinite(estimated_joules))
)

select * from final
