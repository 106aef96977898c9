-- One row per story: the reports of one event across articles and outlets (GDELT's
-- NumArticles / NumSources).  The grouping rule and why story_id is stable are in
-- int_event_reports_grouped.
--
-- A table, rebuilt whole by each build: a new report can move coarse reports between stories
-- and dissolve a coarse story, so an incremental delete+insert would have to find every story
-- a batch touched, including the ones it emptied.  Rebuilding costs one pass over fct_event
-- (seconds at a million reports); the ids stay the same either way.  No best_confidence yet:
-- fct_event has no per-event confidence until issue #14 adds one.

with

reports as (
    select * from {{ ref('int_event_reports_grouped') }}
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
        min(reported_at) as first_reported_at,
        max(reported_at) as last_reported_at,
        list_sort(list(distinct article_id)) as article_ids,
        list_sort(list(event_id)) as event_ids
    from reports
    group by story_id
)

select * from final
