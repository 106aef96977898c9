-- One row per configured source, with what the warehouse currently holds from it.

with

sources as (
    select * from {{ ref('stg_wirehouse__sources') }}
),

discovered_urls as (
    select * from {{ ref('stg_wirehouse__discovered_urls') }}
),

pages as (
    select * from {{ ref('stg_wirehouse__pages') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

discovered_per_source as (
    select
        discovered_urls.source_id,
        count(distinct discovered_urls.url) as n_urls_discovered
    from discovered_urls
    group by discovered_urls.source_id
),

pages_per_source as (
    select
        pages.source_id,
        count(*) as n_pages
    from pages
    group by pages.source_id
),

articles_per_source as (
    select
        articles.source_id,
        count(*) as n_articles,
        min(articles.published_at) as first_published_at,
        max(articles.published_at) as last_published_at,
        max(articles.fetched_at) as last_fetched_at
    from articles
    group by articles.source_id
),

final as (
    select
        sources.source_id,
        sources.source_kind,
        sources.source_location,
        sources.source_name,
        coalesce(discovered_per_source.n_urls_discovered, 0) as n_urls_discovered,
        coalesce(pages_per_source.n_pages, 0) as n_pages,
        coalesce(articles_per_source.n_articles, 0) as n_articles,
        articles_per_source.first_published_at,
        articles_per_source.last_published_at,
        articles_per_source.last_fetched_at,
        sources.batch_id
    from sources
    left join discovered_per_source
        on sources.source_id = discovered_per_source.source_id
    left join pages_per_source
        on sources.source_id = pages_per_source.source_id
    left join articles_per_source
        on sources.source_id = articles_per_source.source_id
)

select * from final
