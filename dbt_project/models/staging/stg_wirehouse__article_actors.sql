with

source as (
    select * from {{ source('wirehouse', 'article_actors') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(actor_id as varchar) as actor_id,
        cast(actor_key as varchar) as actor_key,
        cast(name as varchar) as actor_name,
        cast(kind as varchar) as actor_kind,
        cast(country_code as varchar) as country_code,
        cast(sector as varchar) as sector,
        cast(aliases as varchar[]) as aliases,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
