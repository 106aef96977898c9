with

source as (
    select * from {{ source('wirehouse', 'sentences') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(sentence_index as integer) as sentence_index,
        cast(start_char as integer) as start_char,
        cast(end_char as integer) as end_char,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
