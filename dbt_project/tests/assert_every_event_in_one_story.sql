-- Every report (fct_event row) is in exactly one story, and every story's reports exist:
-- rows returned are reports missing from the stories, counted twice, or unknown.

with

events as (
    select * from {{ ref('fct_event') }}
),

stories as (
    select * from {{ ref('fct_event_story') }}
),

story_reports as (
    select
        unnest(stories.event_ids) as event_id,
        stories.story_id
    from stories
),

counted as (
    select
        coalesce(events.event_id, story_reports.event_id) as event_id,
        count(story_reports.story_id) as n_stories,
        count(events.event_id) as n_in_fct_event
    from events
    full outer join story_reports
        on events.event_id = story_reports.event_id
    group by all
)

select * from counted
where n_stories <> 1 or n_in_fct_event = 0
