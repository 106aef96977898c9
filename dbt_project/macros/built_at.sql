{# when this dbt invocation started (UTC), as a timestamp: the built_at of the rows a build writes #}
{% macro built_at() -%}
    '{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}'::timestamp
{%- endmacro %}
