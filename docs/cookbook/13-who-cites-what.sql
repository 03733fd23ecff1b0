-- Where do the Top-1 accuracies of Table B.2 come from?
-- A value's own citation is in its _refs column; empty means the model's own paper (model_refs).
-- The most cited sources, with their bibliography entry:
with cited as (
    select cast(unnest(string_split(top1_accuracy_refs, ';')) as integer) as ref_id
    from cv_models
    where top1_accuracy_refs is not null
)

select cited.ref_id, count(*) as values_cited, left(refs.citation, 60) as citation
from cited
inner join "references" as refs on refs.ref_id = cited.ref_id
group by cited.ref_id, refs.citation
order by values_cited desc, cited.ref_id;
