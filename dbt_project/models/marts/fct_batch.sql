-- One row per batch, with the counts the loader recorded, what it did with the URLs it
-- discovered (its visits: none for batches loaded before the frontier existed, counted 0), and
-- what of it is still current.

with

batches as (
    select * from {{ ref('int_batches_ordered') }}
),

recorded_batches as (
    select * from {{ ref('stg_wirehouse__batches') }}
),

discovered_urls as (
    select * from {{ ref('stg_wirehouse__discovered_urls') }}
),

rejections as (
    select * from {{ ref('stg_wirehouse__rejections') }}
),

visits as (
    select * from {{ ref('stg_wirehouse__visits') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

discovered_per_batch as (
    select
        discovered_urls.batch_id,
        count(*) as n_urls_discovered
    from discovered_urls
    group by discovered_urls.batch_id
),

rejections_per_batch as (
    select
        rejections.batch_id,
        count(*) as n_rejections,
        count(distinct rejections.url) as n_urls_rejected
    from rejections
    group by rejections.batch_id
),

visits_per_batch as (
    select
        visits.batch_id,
        count(*) filter (where visits.action in ('fetched', 'refetched')) as n_urls_fetched,
        count(*) filter (where visits.action = 'seen_again') as n_urls_seen_again,
        count(*) filter (where visits.action = 'not_modified') as n_urls_not_modified,
        count(*) filter (where visits.action = 'unchanged') as n_urls_unchanged,
        count(*) filter (where visits.action = 'revisited') as n_urls_revisited,
        count(*) filter (where visits.action = 'failed') as n_urls_failed
    from visits
    group by visits.batch_id
),

articles_per_batch as (
    select
        articles.batch_id,
        count(*) as n_articles_current
    from articles
    group by articles.batch_id
),

final as (
    select
        batches.batch_id,
        batches.batch_seq,
        batches.interval_start_at,
        batches.interval_end_at,
        batches.is_recorded,
        recorded_batches.n_discovered,
        recorded_batches.n_fetched,
        recorded_batches.n_articles,
        recorded_batches.n_rejected,
        coalesce(discovered_per_batch.n_urls_discovered, 0) as n_urls_discovered,
        coalesce(rejections_per_batch.n_rejections, 0) as n_rejections,
        coalesce(rejections_per_batch.n_urls_rejected, 0) as n_urls_rejected,
        coalesce(visits_per_batch.n_urls_fetched, 0) as n_urls_fetched,
        coalesce(visits_per_batch.n_urls_seen_again, 0) as n_urls_seen_again,
        coalesce(visits_per_batch.n_urls_not_modified, 0) as n_urls_not_modified,
        coalesce(visits_per_batch.n_urls_unchanged, 0) as n_urls_unchanged,
        coalesce(visits_per_batch.n_urls_revisited, 0) as n_urls_revisited,
        coalesce(visits_per_batch.n_urls_failed, 0) as n_urls_failed,
        coalesce(articles_per_batch.n_articles_current, 0) as n_articles_current
    from batches
    left join recorded_batches
        on batches.batch_id = recorded_batches.batch_id
    left join discovered_per_batch
        on batches.batch_id = discovered_per_batch.batch_id
    left join rejections_per_batch
        on batches.batch_id = rejections_per_batch.batch_id
    left join visits_per_batch
        on batches.batch_id = visits_per_batch.batch_id
    left join articles_per_batch
        on batches.batch_id = articles_per_batch.batch_id
)

select * from final
