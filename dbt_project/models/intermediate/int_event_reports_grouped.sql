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
--
-- The SQL is the macro event_reports_grouped (macros/event_stories.sql), so that
-- fct_event_story's incremental build can apply the same rule to the keys that changed only.

with

events as (
    select * from {{ ref('fct_event') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

final as (
{{ event_reports_grouped('events', 'articles') }}
)

select * from final
