{#
    The article-sized facts (fct_actor_mention, fct_statement, fct_event) grow with every batch,
    so they are built incrementally, by load.  Each load of a batch, a rerun included, takes a
    new, higher number (raw.batch_loads, stg_wirehouse__batches.load_seq), and each fact row
    keeps the number of the load it came from.  A build takes the staged rows of the loads
    newer than the newest the mart holds and replaces what the mart held for those articles
    (delete+insert on article_id); a build that failed half-way is made up by the next, which
    still finds those loads newer.  The post-hook then drops the rows no load stands behind any
    more: an article that left fct_article, moved to a later batch, or lost all its facts of
    this kind when its batch was loaded again.

    A build costs the new loads' rows and one anti-join over the mart's keys, not a rewrite of
    every fact (at 200,000 articles: 8.7 million mentions).  `dbt build --full-refresh` rebuilds
    everything.
#}

{# the batches whose rows to (re)build: all of them, or in an incremental build the newer loads #}
{% macro fact_loads() %}
    select
        batch_id,
        coalesce(load_seq, 0) as load_seq
    from {{ ref('stg_wirehouse__batches') }}
    {%- if is_incremental() %}
    where coalesce(load_seq, 0) > (select coalesce(max(load_seq), -1) from {{ this }})
    {%- endif %}
{% endmacro %}


{# post-hook: drop the rows of articles whose current version came from another load #}
{% macro drop_superseded_facts() %}
    delete from {{ this }} as facts
    where not exists (
        select 1
        from {{ ref('fct_article') }} as articles
        left join {{ ref('stg_wirehouse__batches') }} as batches
            on articles.batch_id = batches.batch_id
        where articles.article_id = facts.article_id
            and articles.batch_id = facts.batch_id
            and coalesce(batches.load_seq, 0) = facts.load_seq
    )
{% endmacro %}
