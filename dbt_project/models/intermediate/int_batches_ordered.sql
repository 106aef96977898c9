-- Every batch id seen anywhere in the raw layer, numbered in load order.  A batch whose
-- raw.batches row is missing (it failed before recording its counts) still gets a row.
-- Order: interval end, then interval start (batches without an interval sort last, as the
-- most recent), then batch id.

with

batches as (
    select * from {{ ref('stg_wirehouse__batches') }}
),

discovered_urls as (
    select * from {{ ref('stg_wirehouse__discovered_urls') }}
),

pages as (
    select * from {{ ref('stg_wirehouse__pages') }}
),

articles as (
    select * from {{ ref('stg_wirehouse__articles') }}
),

rejections as (
    select * from {{ ref('stg_wirehouse__rejections') }}
),

batch_ids as (
    select batches.batch_id from batches
    union
    select discovered_urls.batch_id from discovered_urls
    union
    select pages.batch_id from pages
    union
    select articles.batch_id from articles
    union
    select rejections.batch_id from rejections
),

final as (
    select
        batch_ids.batch_id,
        batches.interval_start_at,
        batches.interval_end_at,
        batches.batch_id is not null as is_recorded,
        row_number() over (
            order by
                batches.interval_end_at asc nulls last,
                batches.interval_start_at asc nulls last,
                batch_ids.batch_id asc
        ) as batch_seq
    from batch_ids
    left join batches
        on batch_ids.batch_id = batches.batch_id
)

select * from final
