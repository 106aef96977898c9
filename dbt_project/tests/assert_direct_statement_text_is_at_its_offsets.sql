-- A direct statement's text is exactly the article's text at its offsets (the words inside the
-- quotation marks); reported statements may be trimmed and are not held to this.

with

statements as (
    select * from {{ ref('fct_statement') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

final as (
    select
        statements.statement_id,
        statements.text,
        substring(articles.text, statements.start_char + 1, statements.end_char - statements.start_char)
            as at_offsets
    from statements
    inner join articles
        on statements.article_id = articles.article_id
    where statements.mode = 'direct' and at_offsets is distinct from statements.text
)

select * from final
