-- Every mention's text is exactly the article's text at its character offsets
-- (Python offsets are 0-based code points; DuckDB's substring is 1-based code points).

with

mentions as (
    select * from {{ ref('fct_actor_mention') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

final as (
    select
        mentions.mention_id,
        mentions.text,
        substring(articles.text, mentions.start_char + 1, mentions.end_char - mentions.start_char) as at_offsets
    from mentions
    inner join articles
        on mentions.article_id = articles.article_id
    where at_offsets is distinct from mentions.text
)

select * from final
