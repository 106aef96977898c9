-- One row per statement: a direct quotation (the words inside the marks) or a reported content
-- clause, with the actor who said it (null when the text names no speaker).
--
-- Incremental by load, as every model in this folder (dbt_project.yml, macros/article_facts.sql):
-- a build adds the rows of the loads newer than the mart's newest load_seq.  built_at stamps the
-- rows a build wrote, for the offset tests.

with

statements as (
    select * from {{ ref('stg_wirehouse__statements') }}
),

articles as (
    select * from {{ ref('fct_article') }}
),

loads as (
{{ fact_loads() }}
),

final as (
    select
        md5(statements.article_id || ':' || statements.statement_index) as statement_id,
        statements.article_id,
        statements.speaker_actor_id,
        statements.statement_text as text,
        statements.statement_mode as mode,
        statements.cue,
        statements.start_char,
        statements.end_char,
        statements.sentence_index,
        statements.batch_id,
        loads.load_seq,
        {{ built_at() }} as built_at
    from statements
    inner join loads
        on statements.batch_id = loads.batch_id
    inner join articles
        on statements.article_id = articles.article_id
)

select * from final
