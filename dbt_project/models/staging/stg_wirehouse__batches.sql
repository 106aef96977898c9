with

source as (
    select * from {{ source('wirehouse', 'batches') }}
),

final as (
    select
        cast(batch_id as varchar) as batch_id,
        cast(interval_start as timestamp) as interval_start_at,
        cast(interval_end as timestamp) as interval_end_at,
        cast(n_discovered as integer) as n_discovered,
        cast(n_fetched as integer) as n_fetched,
        cast(n_articles as integer) as n_articles,
        cast(n_rejected as integer) as n_rejected,
        cast(load_seq as bigint) as load_seq
    from source
)

select * from final
