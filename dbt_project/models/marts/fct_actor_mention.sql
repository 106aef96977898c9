-- One row per mention of a resolved actor in an article, with character offsets into
-- fct_article.text and the index of the sentence it stands in.

with

mentions as (
    select * from {{ ref('stg_wirehouse__actor_mentions') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

final as (
    select
        md5(mentions.article_id || ':' || mentions.mention_index) as mention_id,
        mentions.article_id,
        mentions.actor_id,
        mentions.mention_text as text,
        mentions.start_char,
        mentions.end_char,
        mentions.sentence_index,
        mentions.mention_index,
        mentions.batch_id
    from mentions
    inner join articles
        on mentions.article_id = articles.article_id
)

select * from final
