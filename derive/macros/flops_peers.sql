-- flops_peers(reference_model, max_ratio): the CV models whose GFLOPs are within a factor
--   max_ratio of a reference model's, with their accuracy and year.
-- Grain: table macro, one row per CV model (key: model, extra_data) with
--   max(gflops / ref, ref / gflops) <= max_ratio.
-- Inputs: model_flops (Table B.2).
-- Formula: ratio_to_reference = gflops / reference GFLOPs; is_best_in_year marks the most
--   accurate model of its year, separately for models trained with and without extra data.
-- Example: select * from flops_peers('AlexNet', 3.00 / 1.42)  -- Table 1's widest row
-- Reproduces: Table 1 (models "with a similar number of FLOPs as AlexNet"), but only as a
--   superset: Table 1 is a hand-picked list, and no FLOPs band with a best-per-year rule
--   selects exactly its 7 rows (in 2017 PNASNet-5 (N = 3, F = 54) has 1.18 GFLOPs and 74.2%
--   against MobileNet's 1.14 and 70.6%; in 2019 EfficientNet-B2 / NoisyStudent-B2 (2.00)
--   lie inside Table 1's own 1.14-3.00 band; FixEfficientNet-B0 (2020, 1.60) too).
create macro flops_peers(reference_model, max_ratio) as table
    with

    models as (
        select * from model_flops where domain = 'cv'
    ),

    reference as (
        select min(gflops) as reference_gflops
        from models
        where model = reference_model
    ),

    peers as (
        select
            models.*,
            models.gflops / reference.reference_gflops as ratio_to_reference,
        from models
        cross join reference
        where greatest(models.gflops / reference.reference_gflops,
                       reference.reference_gflops / models.gflops) <= max_ratio
    ),

    final as (
        select
            model,
            extra_data,
            release_year,
            release_date,
            score as top1_accuracy,
            gflops,
            ratio_to_reference,
            rank() over (
                partition by release_year, extra_data is not null order by score desc
            ) = 1 as is_best_in_year,
        from peers
        order by release_date, gflops, model
    )

    select * from final
