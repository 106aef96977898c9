-- The time series analysts chart: per day, source country, target country and quad class, how
-- many stories, reports and articles, and their PLOVER intensity.
--
-- The day is the story's date when it is day-precise (the most precise date its reports agree
-- on), else the day the report was published (fetched, when the page gives no date): a
-- month-precise "in September" is charted on the day a paper said it.  Countries are
-- dim_actor.country_code of the source and target actors; null (an international body, an
-- actor of no known country, or no target) is a value of its own.  Intensities are summed over
-- reports, so an event told by three articles weighs three times; n_stories counts it once.

with

reports as (
    select * from {{ ref('int_event_reports_grouped') }}
),

actors as (
    select * from {{ ref('dim_actor') }}
),

dated as (
    select
        case
            when reports.story_date_precision = 'day' then reports.story_date
            else cast(reports.reported_at as date)
        end as event_day,
        source_actors.country_code as source_country_code,
        target_actors.country_code as target_country_code,
        reports.quad_class,
        reports.story_id,
        reports.event_id,
        reports.article_id,
        reports.intensity
    from reports
    left join actors as source_actors
        on reports.source_actor_id = source_actors.actor_id
    left join actors as target_actors
        on reports.target_actor_id = target_actors.actor_id
),

final as (
    select
        md5(concat_ws(
            '|',
            cast(event_day as varchar),
            coalesce(source_country_code, ''),
            coalesce(target_country_code, ''),
            coalesce(quad_class, '')
        )) as dyad_day_id,
        event_day,
        source_country_code,
        target_country_code,
        quad_class,
        count(distinct story_id) as n_stories,
        count(*) as n_events,
        count(distinct article_id) as n_articles,
        sum(intensity) as sum_intensity,
        avg(intensity) as mean_intensity
    from dated
    group by all
)

select * from final
