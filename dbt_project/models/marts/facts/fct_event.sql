-- One row per event in an article: who (source) did what (a PLOVER category) to whom (target),
-- when and where, with the category's quad class and intensity from the PLOVER manual.
--
-- Incremental by load, as every model in this folder (dbt_project.yml, macros/article_facts.sql):
-- a build adds the rows of the loads newer than the mart's newest load_seq.  built_at stamps the
-- rows a build wrote, for the offset tests.

with

events as (
    select * from {{ ref('stg_wirehouse__events') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

loads as (
{{ fact_loads() }}
),

categories as (
    select * from {{ ref('plover_categories') }}
),

final as (
    select
        md5(events.article_id || ':' || events.event_index) as event_id,
        events.article_id,
        events.event_type,
        events.source_actor_id,
        events.target_actor_id,
        events.event_date,
        events.date_precision,
        events.location_name,
        events.location_country_code,
        events.location_precision,
        events.confidence,
        events.latitude,
        events.longitude,
        events.trigger_text as trigger,
        categories.quad_class,
        categories.intensity,
        events.start_char,
        events.end_char,
        events.sentence_index,
        events.method_version,
        events.batch_id,
        loads.load_seq,
        {{ built_at() }} as built_at
    from events
    inner join loads
        on events.batch_id = loads.batch_id
    inner join articles
        on events.article_id = articles.article_id
    left join categories
        on events.event_type = categories.event_type
)

select * from final
