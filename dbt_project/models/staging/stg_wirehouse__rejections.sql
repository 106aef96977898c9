with

source as (
    select * from {{ source('wirehouse', 'rejections') }}
),

final as (
    select
        cast(batch_id as varchar) as batch_id,
        cast(url as varchar) as url,
        cast(stage as varchar) as stage,
        cast(reason as varchar) as reason,
        cast(detail as varchar) as detail
    from source
)

select * from final
