{#
    A text column equals the article's text at the row's character offsets.
    Python offsets are 0-based code points; DuckDB's substring is 1-based code points.
    `rows_where` narrows the rows held to it (e.g. direct quotes only).

    Cutting a substring costs the length of the text before it, so over every fact of every
    article this test grows with the warehouse (1.6 s for the mentions of 21,000 articles, most
    of a build's time).  It checks the rows the latest build of the model wrote (its newest
    built_at): those of the loads that build added, which are all of them after a full
    refresh.  `--vars '{test_all_rows: true}'` checks every row.
#}
{% test text_at_offsets(model, column_name, rows_where='true') %}

with

facts as (
    select * from {{ model }}
    where {{ rows_where }}
    {%- if not var('test_all_rows', false) %}
        and built_at = (select max(built_at) from {{ model }})
    {%- endif %}
),

-- only the texts the facts point into: reading every article's text costs as much as the test
articles as (
    select article_id, text from {{ ref('fct_article') }}
    where article_id in (select article_id from facts)
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
