-- One row per distinct article: the latest version of each URL in raw.articles.
--
-- Incremental, delete+insert on article_id.  A run picks up every staged row whose loaded
-- version differs from the mart's (a new article, a URL fetched again in a later batch, or a
-- rerun of a batch that rewrote its rows): those article_ids are deleted and inserted again.
-- The text itself is compared through text_sha256.  The post-hook removes articles a rerun of
-- their batch took out of raw.articles (for example, now rejected as a duplicate), so the
-- mart always equals the raw layer's current articles.  built_at stamps the rows a build
-- (re)wrote.

{{
    config(
        materialized='incremental',
        unique_key='article_id',
        incremental_strategy='delete+insert',
        on_schema_change='append_new_columns',
        post_hook=[
            "delete from {{ this }} as target
             where not exists (
                 select 1 from {{ ref('stg_wirehouse__articles') }} as staged
                 where staged.article_id = target.article_id
             )"
        ],
    )
}}

with

articles as (
    select * from {{ ref('stg_wirehouse__articles') }}
),

{% if is_incremental() %}

mart as (
    select * from {{ this }}
),

-- every column but the text itself, which text_sha256 stands for
{%- set compared = [
    'article_id', 'url', 'source_id', 'title', 'author', 'site_name', 'published_at',
    'language', 'n_words', 'text_sha256', 'fetched_at', 'batch_id',
] %}
changed_versions as (
    select {{ compared | join(', ') }} from articles
    except
    select {{ compared | join(', ') }} from mart
),

articles_to_load as (
    select articles.*
    from articles
    inner join changed_versions
        on articles.article_id = changed_versions.article_id
),

{% else %}

articles_to_load as (
    select * from articles
),

{% endif %}

final as (
    select
        articles_to_load.article_id,
        articles_to_load.url,
        articles_to_load.title,
        articles_to_load.text,
        articles_to_load.published_at,
        articles_to_load.language,
        articles_to_load.source_id,
        articles_to_load.author,
        articles_to_load.site_name,
        articles_to_load.n_words,
        articles_to_load.text_sha256,
        articles_to_load.fetched_at,
        articles_to_load.batch_id,
        {{ built_at() }} as built_at
    from articles_to_load
)

select * from final
