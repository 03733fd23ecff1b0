-- check: every gpus row is either the paper's (paper_source filled, no *_refs: the paper cites no source for J.8) or added after it (paper_source empty, in_table_j9 false)
-- code: sql-gpu-provenance
-- Why: paper_source is what tells the paper's rows from later additions (the 'paper' and 'all' row sets of the trend views); a paper row citing an added source, or an added row claimed for Table J.9, would mix the two. (That every added value cites a source is a row rule of the validator, added-row-without-source, reported on its line.)
-- Returns: one row per gpus row whose provenance is neither.
with

gpus as (
    select * from stg_gpus
),

final as (
    select gpu, precision, paper_source, in_table_j9, tflops_refs, tdp_watts_refs, launch_date_refs
    from gpus
    where case
        when paper_source is not null
            then tflops_refs is not null or tdp_watts_refs is not null or launch_date_refs is not null
        else in_table_j9 is distinct from false
    end
)

select * from final
