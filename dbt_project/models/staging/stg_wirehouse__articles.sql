with

source as (
    select * from {{ source('wirehouse', 'articles') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(url as varchar) as url,
        cast(source_id as varchar) as source_id,
        cast(title as varchar) as title,
        cast(author as varchar) as author,
        cast(published_at as timestamp) as published_at,
        cast(site_name as varchar) as site_name,
        cast(language as varchar) as language,
        cast(text as varchar) as text,
        cast(n_words as integer) as n_words,
        cast(text_sha256 as varchar) as text_sha256,
        cast(simhash as ubigint) as simhash,
        cast(fetched_at as timestamp) as fetched_at,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
