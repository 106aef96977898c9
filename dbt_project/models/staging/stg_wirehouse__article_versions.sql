with

source as (
    select * from {{ source('wirehouse', 'article_versions') }}
),

final as (
    select
        cast(url as varchar) as url,
        cast(text_sha256 as varchar) as text_sha256,
        cast(article_id as varchar) as article_id,
        cast(title as varchar) as title,
        cast(published_at as timestamp) as published_at,
        cast(text as varchar) as text,
        cast(fetched_at as timestamp) as fetched_at,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
