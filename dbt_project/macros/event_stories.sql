{#
    The story rule, in one place: every report of an event (one fct_event row) with the story
    it belongs to.  int_event_reports_grouped applies it to every report; fct_event_story, in
    an incremental build, to the reports of the (type, source, target) keys that changed only.
    The rule, and why story_id is stable, are in int_event_reports_grouped's header.

    Every window, join and group below is within one same_event_key, so grouping a subset of
    keys gives exactly the rows those keys get when everything is grouped.  That is what lets
    fct_event_story rebuild whole keys: at a million reports, grouping 2,000 keys' 70,000
    reports takes 0.9 s, against 6 to 8 s for all of them, and filtering the view on the key
    afterwards saves nothing (DuckDB 1.5 does not push the filter through the group joins).
#}


{# the key a story never crosses: type and both actors, a null actor agreeing only with null #}
{% macro same_event_key(relation) -%}
    concat_ws(
        '|',
        {{ relation }}.event_type,
        coalesce({{ relation }}.source_actor_id, ''),
        coalesce({{ relation }}.target_actor_id, '')
    )
{%- endmacro %}


{#
    A query (no trailing semicolon, usable as a subquery) over two relations or CTE names:
    events, shaped as fct_event, and articles, shaped as fct_article.
#}
{% macro event_reports_grouped(events, articles) %}
{%- set window_days = var('story_window_days', 3) %}
with

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
        events.confidence,
        events.load_seq,
        coalesce(articles.published_at, articles.fetched_at) as reported_at,
        cast(coalesce(articles.published_at, articles.fetched_at) as date) as reported_on,
        -- an outlet is the page's site name (og:site_name and the like, as trafilatura reads
        -- it, which falls back to the host itself), else the URL's host
        coalesce(
            nullif(trim(articles.site_name), ''),
            regexp_extract(articles.url, '^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]+)', 1)
        ) as outlet,
        {{ same_event_key('events') }} as same_event_key,
        events.date_precision = 'day' and events.event_date is not null as is_day_precise
    from {{ events }} as events
    inner join {{ articles }} as articles
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

all_stories as (
    select * from day_stories
    union all by name
    select * from coarse_stories
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
    from all_stories
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
)

select
    md5(story_key) as story_id,
    story_key,
    same_event_key,
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
    confidence,
    reported_at,
    outlet,
    load_seq
from keyed
{% endmacro %}
