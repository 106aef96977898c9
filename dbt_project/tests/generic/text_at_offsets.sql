{#
    A text column equals the article's text at the row's character offsets.
    Python offsets are 0-based code points; DuckDB's substring is 1-based code points.
    `rows_where` narrows the rows held to it (e.g. direct quotes only).
#}
{% test text_at_offsets(model, column_name, rows_where='true') %}

with

facts as (
    select * from {{ model }}
    where {{ rows_where }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

final as (
    select
        facts.article_id,
        facts.{{ column_name }} as stored,
        substring(articles.text, facts.start_char + 1, facts.end_char - facts.start_char) as at_offsets
    from facts
    inner join articles
        on facts.article_id = articles.article_id
    where at_offsets is distinct from facts.{{ column_name }}
)

select * from final

{% endtest %}
