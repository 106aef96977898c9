-- One row per resolved actor across every article: the same canonical key (person:..., country:RUS,
-- group:PRK:troops) in two articles is one actor.  Names, countries and sectors are the ones the
-- articles give most often; aliases accumulate every surface form.

with

article_actors as (
    select * from {{ ref('stg_wirehouse__article_actors') }}
),

mentions as (
    select * from {{ ref('stg_wirehouse__actor_mentions') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

coded as (
    select
        article_actors.*,
        articles.published_at
    from article_actors
    inner join articles
        on article_actors.article_id = articles.article_id
),

most_common as (
    select
        actor_id,
        'name' as attribute,
        actor_name as value,
        count(*) as n
    from coded
    group by all
    union all
    select
        actor_id,
        'country_code' as attribute,
        country_code as value,
        count(*) as n
    from coded
    where country_code is not null
    group by all
    union all
    select
        actor_id,
        'sector' as attribute,
        sector as value,
        count(*) as n
    from coded
    where sector is not null
    group by all
),

ranked as (
    select
        actor_id,
        attribute,
        value,
        row_number() over (
            partition by actor_id, attribute order by n desc, length(value) desc, value
        ) as rank_in_actor
    from most_common
),

chosen as (
    select
        actor_id,
        max(value) filter (where attribute = 'name') as actor_name,
        max(value) filter (where attribute = 'country_code') as country_code,
        max(value) filter (where attribute = 'sector') as sector
    from ranked
    where rank_in_actor = 1
    group by actor_id
),

-- each distinct surface form once, before any list is built (flattening every article's list
-- first costs several times more)
alias_forms as (
    select distinct
        actor_id,
        unnest(aliases) as alias
    from coded
),

aliases as (
    select
        actor_id,
        list_sort(list(alias)) as aliases
    from alias_forms
    where alias is not null
    group by actor_id
),

appearances as (
    select
        actor_id,
        min(actor_key) as actor_key,
        min(actor_kind) as kind,
        count(*) as n_articles,  -- one row per article and actor (the raw table's key)
        min(published_at) as first_seen_at,
        max(published_at) as last_seen_at
    from coded
    group by actor_id
),

mention_counts as (
    select
        actor_id,
        count(*) as n_mentions
    from mentions
    where article_id in (select article_id from articles)
    group by actor_id
),

final as (
    select
        appearances.actor_id,
        chosen.actor_name as name,
        appearances.kind,
        chosen.country_code,
        chosen.sector,
        coalesce(aliases.aliases, []) as aliases,
        appearances.actor_key,
        appearances.n_articles,
        coalesce(mention_counts.n_mentions, 0) as n_mentions,
        appearances.first_seen_at,
        appearances.last_seen_at
    from appearances
    inner join chosen on appearances.actor_id = chosen.actor_id
    left join aliases on appearances.actor_id = aliases.actor_id
    left join mention_counts on appearances.actor_id = mention_counts.actor_id
)

select * from final
