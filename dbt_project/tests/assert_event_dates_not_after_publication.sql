-- An event reported in an article cannot have happened after the article was published.

with

events as (
    select * from {{ ref('fct_event') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

final as (
    select
        events.event_id,
        events.event_date,
        articles.published_at
    from events
    inner join articles
        on events.article_id = articles.article_id
    where events.event_date > cast(articles.published_at as date)
)

select * from final
