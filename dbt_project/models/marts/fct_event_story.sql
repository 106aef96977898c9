-- One row per story: the reports of one event across articles and outlets (GDELT's
-- NumArticles / NumSources).  The grouping rule and why story_id is stable are in
-- int_event_reports_grouped; the SQL of the rule is the macro event_reports_grouped.
--
-- Incremental by key.  A story never crosses its same_event_key (type, source, target), so a
-- build regroups, from fct_event as it now stands, every report of each key that changed and
-- replaces that key's stories (delete+insert on same_event_key).  A new report can merge or
-- move coarse reports between stories of its key, or dissolve one; regrouping the whole key
-- makes all of that right by construction.  A key changed when
--   * one of its reports came from a load newer than the newest load_seq here, or
--   * one of its stories lists a report that is not among fct_event's rows of the loads seen
--     here: the report left fct_event (its article was reloaded without it, deduplicated
--     away, or left without events) or came back from a newer load, maybe under another key.
-- The post-hook drops the stories of keys with no report left at all, which the insert
-- cannot reach.  A build with no new load finds no key and writes nothing.  Changing
-- var('story_window_days') needs `dbt build --full-refresh`.  No best_confidence yet:
-- fct_event has no per-event confidence until issue #14 adds one.

{{
    config(
        materialized='incremental',
        unique_key='same_event_key',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=[
            "delete from {{ this }} as stories
             where not exists (
                 select 1 from {{ ref('fct_event') }} as events
                 where {{ same_event_key('events') }} = stories.same_event_key
             )"
        ],
    )
}}

with

events as (
    select * from {{ ref('fct_event') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

{% if is_incremental() %}

stories as (
    select * from {{ this }}
),

high_water as (
    select coalesce(max(stories.load_seq), -1) as load_seq from stories
),

new_keys as (
    select distinct {{ same_event_key('events') }} as same_event_key
    from events
    where events.load_seq > (select high_water.load_seq from high_water)
),

seen_events as (
    select events.event_id
    from events
    where events.load_seq <= (select high_water.load_seq from high_water)
),

-- the stories of the other keys: one anti-join of their reports with the seen ones
stale_keys as (
    select distinct listed.same_event_key
    from (
        select
            stories.same_event_key,
            unnest(stories.event_ids) as event_id
        from stories
        where stories.same_event_key not in (select new_keys.same_event_key from new_keys)
    ) as listed
    where not exists (
        select 1 from seen_events
        where seen_events.event_id = listed.event_id
    )
),

changed_keys as (
    select new_keys.same_event_key from new_keys
    union
    select stale_keys.same_event_key from stale_keys
),

events_to_group as (
    select events.*
    from events
    where {{ same_event_key('events') }} in (select changed_keys.same_event_key from changed_keys)
),

{% else %}

events_to_group as (
    select * from events
),

{% endif %}

reports as (
{{ event_reports_grouped('events_to_group', 'articles') }}
),

final as (
    select
        story_id,
        min(event_type) as event_type,
        min(quad_class) as quad_class,
        min(source_actor_id) as source_actor_id,
        min(target_actor_id) as target_actor_id,
        min(story_date) as event_date,
        min(story_date_precision) as date_precision,
        -- the place of the earliest report that names one (its coordinates with it)
        arg_min(
            {'name': location_name, 'latitude': latitude, 'longitude': longitude},
            (reported_at, event_id)
        ) filter (where location_name is not null).name as location_name,
        min(story_country_code) as location_country_code,
        arg_min(
            {'name': location_name, 'latitude': latitude, 'longitude': longitude},
            (reported_at, event_id)
        ) filter (where location_name is not null).latitude as latitude,
        arg_min(
            {'name': location_name, 'latitude': latitude, 'longitude': longitude},
            (reported_at, event_id)
        ) filter (where location_name is not null).longitude as longitude,
        count(*) as n_events,
        count(distinct article_id) as n_articles,
        count(distinct outlet) as n_sources,
        max(confidence) as best_confidence,
        min(reported_at) as first_reported_at,
        max(reported_at) as last_reported_at,
        list_sort(list(distinct article_id)) as article_ids,
        list_sort(list(event_id)) as event_ids,
        min(same_event_key) as same_event_key,
        max(load_seq) as load_seq,
        {{ built_at() }} as built_at
    from reports
    group by story_id
)

select * from final
