-- One row per mention of a resolved actor in an article, with character offsets into
-- fct_article.text and the index of the sentence it stands in.
--
-- Incremental by load, as every model in this folder (dbt_project.yml, macros/article_facts.sql):
-- a build adds the rows of the loads newer than the mart's newest load_seq.  built_at stamps the
-- rows a build wrote, for the offset tests.

with

mentions as (
    select * from {{ ref('stg_wirehouse__actor_mentions') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

loads as (
{{ fact_loads() }}
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
        mentions.batch_id,
        loads.load_seq,
        {{ built_at() }} as built_at
    from mentions
    inner join loads
        on mentions.batch_id = loads.batch_id
    inner join articles
        on mentions.article_id = articles.article_id
)

select * from final
