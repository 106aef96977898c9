-- Every event's trigger is found in the article's text at its offsets.

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
        events.trigger,
        substring(articles.text, events.start_char + 1, events.end_char - events.start_char) as at_offsets
    from events
    inner join articles
        on events.article_id = articles.article_id
    where at_offsets is distinct from events.trigger
)

select * from final
