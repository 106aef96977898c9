with

source as (
    select * from {{ source('wirehouse', 'sources') }}
),

final as (
    select
        cast(source_id as varchar) as source_id,
        cast(kind as varchar) as source_kind,
        cast(location as varchar) as source_location,
        cast(name as varchar) as source_name,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
