with

source as (
    select * from {{ source('wirehouse', 'visits') }}
),

final as (
    select
        cast(batch_id as varchar) as batch_id,
        cast(url as varchar) as url,
        cast(source_id as varchar) as source_id,
        cast(visited_at as timestamp) as visited_at,
        cast(action as varchar) as action,
        cast(first_seen_at as timestamp) as first_seen_at,
        cast(last_fetch_at as timestamp) as last_fetch_at,
        cast(http_status as integer) as http_status,
        cast(etag as varchar) as etag,
        cast(last_modified as varchar) as last_modified,
        cast(body_sha256 as varchar) as body_sha256,
        cast(text_sha256 as varchar) as text_sha256
    from source
)

select * from final
