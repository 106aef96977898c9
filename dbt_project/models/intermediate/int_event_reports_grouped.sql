-- Every report of an event (one fct_event row: one trigger in one article) with the story it
-- belongs to: the reports, across articles and outlets, of one event.
--
-- The rule (README "For analysts", _intermediate__models.yml), with W = var('story_window_days', 3):
--   1. Same event: same event_type and the same source and target actor ids, a null actor
--      agreeing only with null.
--   2. Dates agree at their precision.  Reports with a day-precise date form one story per
--      date.  A month- or year-precise or undated report joins the day story of its type and
--      actors whose date lies inside its own month or year (any date when undated) and at most
--      W days before the report was published (the latest such day; a day with a place that
--      conflicts with the report's own does not count).  The rest, the coarse and undated
--      reports that join no day story, are grouped by precision and date and then chained by
--      publication: a report published more than W days after the previous one starts a new
--      story.
--   3. Places agree: the same location_country_code, or one of them unknown.  Within a story so
--      formed, a report without a country takes the country most of its reports name; when its
--      reports name two countries they are two stories.
--
-- story_id is the md5 of story_key, which is built only of things later reports cannot move:
-- type, actors, the day (or the precision, month and first publication day of a coarse chain)
-- and, only for a second country of the same event, that country.  So a rerun gives the same
-- ids, and a later batch that adds reports to a story keeps its id.  What can change an id: a
-- report published before a coarse chain's first one (the chain starts earlier), and a coarse
-- chain whose reports later join a day story when that day's first report arrives (the chain
-- dissolves into the day story, which keeps its own id).

{%- set window_days = var('story_window_days', 3) %}

with

events as (
    select * from {{ ref('fct_event') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

reports as (
    select
        events.event_id,
        events.article_id,
        events.event_type,
        events.quad_class,
        events.intensity,
        events.source_actor_id,
        events.target_actor_id,
        events.event_date,
        events.date_precision,
        events.location_name,
        events.location_country_code,
        events.latitude,
        events.longitude,
        coalesce(articles.published_at, articles.fetched_at) as reported_at,
        cast(coalesce(articles.published_at, articles.fetched_at) as date) as reported_on,
        -- an outlet is the page's site name (og:site_name and the like, as trafilatura reads
        -- it, which falls back to the host itself), else the URL's host
        coalesce(
            nullif(trim(articles.site_name), ''),
            regexp_extract(articles.url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]+)', 1)
        ) as outlet,
        concat_ws(
            '|',
            events.event_type,
            coalesce(events.source_actor_id, ''),
            coalesce(events.target_actor_id, '')
        ) as same_event_key,
        events.date_precision = 'day' and events.event_date is not null as is_day_precise
    from events
    inner join articles
        on events.article_id = articles.article_id
),

day_places as (
    select distinct
        same_event_key,
        event_date,
        location_country_code
    from reports
    where is_day_precise
),

-- a coarse or undated report's day story: the latest agreeing day in the window
attached as (
    select
        reports.event_id,
        day_places.event_date as story_date,
        row_number() over (
            partition by reports.event_id order by day_places.event_date desc
        ) as rank_in_report
    from reports
    inner join day_places
        on reports.same_event_key = day_places.same_event_key
        and (
            reports.event_date is null
            or cast(date_trunc(reports.date_precision, day_places.event_date) as date)
            = cast(date_trunc(reports.date_precision, reports.event_date) as date)
        )
        and day_places.event_date between reports.reported_on - {{ window_days }} and reports.reported_on
        and (
            reports.location_country_code is null
            or day_places.location_country_code is null
            or reports.location_country_code = day_places.location_country_code
        )
    where not reports.is_day_precise
),

day_stories as (
    select
        reports.*,
        'day' as story_precision,
        coalesce(attached.story_date, reports.event_date) as story_date,
        cast(null as date) as chain_started_on
    from reports
    left join attached
        on reports.event_id = attached.event_id
        and attached.rank_in_report = 1
    where reports.is_day_precise or attached.event_id is not null
),

-- the coarse and undated reports left over, chained by publication day
leftovers as (
    select
        reports.*,
        case
            when reports.reported_on - lag(reports.reported_on) over chain <= {{ window_days }} then 0
            else 1
        end as starts_chain
    from reports
    where not reports.is_day_precise
        and reports.event_id not in (select attached.event_id from attached)
    window chain as (
        partition by reports.same_event_key, reports.date_precision, reports.event_date
        order by reports.reported_at, reports.event_id
    )
),

numbered_chains as (
    select
        leftovers.*,
        sum(leftovers.starts_chain) over (
            partition by leftovers.same_event_key, leftovers.date_precision, leftovers.event_date
            order by leftovers.reported_at, leftovers.event_id
            rows between unbounded preceding and current row
        ) as chain_number
    from leftovers
),

coarse_stories as (
    select
        numbered_chains.* exclude (starts_chain, chain_number),
        coalesce(numbered_chains.date_precision, 'none') as story_precision,
        numbered_chains.event_date as story_date,
        min(numbered_chains.reported_on) over (
            partition by
                numbered_chains.same_event_key,
                numbered_chains.date_precision,
                numbered_chains.event_date,
                numbered_chains.chain_number
        ) as chain_started_on
    from numbered_chains
),

grouped as (
    select
        *,
        concat_ws(
            '|',
            same_event_key,
            story_precision,
            coalesce(cast(story_date as varchar), ''),
            coalesce(cast(chain_started_on as varchar), '')
        ) as group_key
    from day_stories
    union all by name
    select
        *,
        concat_ws(
            '|',
            same_event_key,
            story_precision,
            coalesce(cast(story_date as varchar), ''),
            coalesce(cast(chain_started_on as varchar), '')
        ) as group_key
    from coarse_stories
),

country_votes as (
    select
        group_key,
        location_country_code,
        count(*) as n_reports,
        min(reported_at) as first_reported_at
    from grouped
    where location_country_code is not null
    group by all
),

group_countries as (
    select
        group_key,
        -- the country most reports name: where a report without one belongs
        arg_min(location_country_code, (-n_reports, location_country_code)) as usual_country_code,
        -- the country named first: its story keeps the group's plain id
        arg_min(location_country_code, (first_reported_at, location_country_code)) as first_country_code
    from country_votes
    group by group_key
),

placed as (
    select
        grouped.*,
        coalesce(grouped.location_country_code, group_countries.usual_country_code) as story_country_code,
        group_countries.first_country_code
    from grouped
    left join group_countries
        on grouped.group_key = group_countries.group_key
),

keyed as (
    select
        placed.*,
        placed.group_key || case
            when placed.story_country_code is null
                or placed.story_country_code = placed.first_country_code then ''
            else '|' || placed.story_country_code
        end as story_key
    from placed
),

final as (
    select
        md5(story_key) as story_id,
        story_key,
        event_id,
        article_id,
        event_type,
        quad_class,
        intensity,
        source_actor_id,
        target_actor_id,
        event_date,
        date_precision,
        story_date,
        nullif(story_precision, 'none') as story_date_precision,
        location_name,
        location_country_code,
        story_country_code,
        latitude,
        longitude,
        reported_at,
        outlet
    from keyed
)

select * from final
