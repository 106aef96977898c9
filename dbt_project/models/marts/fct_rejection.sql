-- Every URL a stage could not carry forward: the latest rejection per (url, stage), and
-- whether the URL has since made it into fct_article.

with

rejections as (
    select * from {{ ref('stg_wirehouse__rejections') }}
),

batches as (
    select * from {{ ref('int_batches_ordered') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

rejections_ranked as (
    select
        rejections.url,
        rejections.stage,
        rejections.batch_id,
        rejections.reason,
        rejections.detail,
        row_number() over (
            partition by rejections.url, rejections.stage
            order by batches.batch_seq desc nulls last, rejections.batch_id desc
        ) as recency_rank,
        count(*) over (
            partition by rejections.url, rejections.stage
        ) as n_batches_rejected
    from rejections
    left join batches
        on rejections.batch_id = batches.batch_id
),

latest_rejections as (
    select * from rejections_ranked
    where recency_rank = 1
),

final as (
    select
        md5(latest_rejections.url || '|' || latest_rejections.stage) as rejection_id,
        latest_rejections.url,
        latest_rejections.stage,
        latest_rejections.batch_id,
        latest_rejections.reason,
        latest_rejections.detail,
        latest_rejections.n_batches_rejected,
        articles.article_id,
        articles.article_id is not null as is_resolved
    from latest_rejections
    left join articles
        on latest_rejections.url = articles.url
)

select * from final
