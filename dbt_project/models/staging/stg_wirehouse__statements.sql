with

source as (
    select * from {{ source('wirehouse', 'statements') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(statement_index as integer) as statement_index,
        cast(speaker_actor_id as varchar) as speaker_actor_id,
        cast(text as varchar) as statement_text,
        cast(mode as varchar) as statement_mode,
        cast(cue as varchar) as cue,
        cast(start_char as integer) as start_char,
        cast(end_char as integer) as end_char,
        cast(sentence_index as integer) as sentence_index,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
