-- One row per URL the frontier knows (every URL a batch has visited): its state from the latest
-- visit, by visited_at then batch_id (the row extract/frontier.py reads), how often batches
-- visited it and asked the site for it, how many texts of it the raw layer keeps, and the
-- article it is now.  Built from staging views and the fct_article table as it stands, so a
-- batch that changed no article rebuilds it without touching an article model.

with

visits as (
    select * from {{ ref('stg_wirehouse__visits') }}
),

article_versions as (
    select * from {{ ref('stg_wirehouse__article_versions') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

visits_ranked as (
    select
        visits.*,
        row_number() over (
            partition by visits.url
            order by visits.visited_at desc, visits.batch_id desc
        ) as recency_rank
    from visits
),

latest_visits as (
    select * from visits_ranked
    where recency_rank = 1
),

-- the actions that read the page or asked the site for it (extract/frontier.py's ASKED):
-- every one but seen_again (no request)
visits_per_url as (
    select
        visits.url,
        min(visits.first_seen_at) as first_seen_at,
        count(*) as n_visits,
        count(*) filter (
            where visits.action in ('fetched', 'refetched', 'not_modified', 'unchanged', 'revisited', 'failed')
        ) as n_fetches
    from visits
    group by visits.url
),

versions_per_url as (
    select
        article_versions.url,
        count(*) as n_text_versions
    from article_versions
    group by article_versions.url
),

final as (
    select
        latest_visits.url,
        latest_visits.source_id,
        visits_per_url.first_seen_at,
        latest_visits.visited_at as last_seen_at,
        latest_visits.last_fetch_at,
        latest_visits.action as last_action,
        latest_visits.http_status,
        latest_visits.etag,
        latest_visits.last_modified,
        latest_visits.body_sha256,
        latest_visits.text_sha256,
        visits_per_url.n_visits,
        visits_per_url.n_fetches,
        coalesce(versions_per_url.n_text_versions, 0) as n_text_versions,
        articles.article_id
    from latest_visits
    inner join visits_per_url
        on latest_visits.url = visits_per_url.url
    left join versions_per_url
        on latest_visits.url = versions_per_url.url
    left join articles
        on latest_visits.url = articles.url
)

select * from final
