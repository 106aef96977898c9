with

source as (
    select * from {{ source('wirehouse', 'pages') }}
),

final as (
    select
        cast(url as varchar) as url,
        cast(final_url as varchar) as final_url,
        cast(source_id as varchar) as source_id,
        cast(http_status as integer) as http_status,
        cast(content_type as varchar) as content_type,
        cast(n_bytes as bigint) as n_bytes,
        cast(body_sha256 as varchar) as body_sha256,
        cast(raw_path as varchar) as raw_path,
        cast(fetched_at as timestamp) as fetched_at,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
