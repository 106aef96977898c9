with

source as (
    select * from {{ source('wirehouse', 'discovered_urls') }}
),

final as (
    select
        cast(batch_id as varchar) as batch_id,
        cast(url as varchar) as url,
        cast(source_id as varchar) as source_id
    from source
)

select * from final
