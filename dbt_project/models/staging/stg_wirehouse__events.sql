with

source as (
    select * from {{ source('wirehouse', 'events') }}
),

final as (
    select
        cast(article_id as varchar) as article_id,
        cast(event_index as integer) as event_index,
        cast(event_type as varchar) as event_type,
        cast(source_actor_id as varchar) as source_actor_id,
        cast(target_actor_id as varchar) as target_actor_id,
        cast(event_date as date) as event_date,
        cast(date_precision as varchar) as date_precision,
        cast(location_name as varchar) as location_name,
        cast(location_country_code as varchar) as location_country_code,
        cast(location_precision as varchar) as location_precision,
        cast(confidence as double) as confidence,
        cast(latitude as double) as latitude,
        cast(longitude as double) as longitude,
        cast(trigger as varchar) as trigger_text,
        cast(start_char as integer) as start_char,
        cast(end_char as integer) as end_char,
        cast(sentence_index as integer) as sentence_index,
        cast(method_version as varchar) as method_version,
        cast(batch_id as varchar) as batch_id
    from source
)

select * from final
