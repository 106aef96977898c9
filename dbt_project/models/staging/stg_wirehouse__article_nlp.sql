with

source as (
    select * from {{ source('wirehouse', 'article_nlp') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(status as varchar) as nlp_status,
        cast(reason as varchar) as nlp_reason,
        cast(model as varchar) as nlp_model,
        cast(n_sentences as integer) as n_sentences,
        cast(n_tokens as integer) as n_tokens,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
