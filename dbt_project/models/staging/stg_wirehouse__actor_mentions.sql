with

source as (
    select * from {{ source('wirehouse', 'actor_mentions') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(mention_index as integer) as mention_index,
        cast(actor_id as varchar) as actor_id,
        cast(text as varchar) as mention_text,
        cast(start_char as integer) as start_char,
        cast(end_char as integer) as end_char,
        cast(sentence_index as integer) as sentence_index,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
