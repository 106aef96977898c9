{#-
    Use a model's custom schema as-is (marts, staging, intermediate) instead of dbt's
    default "<target schema>_<custom schema>", so the public marts are marts.fct_article
    and so on in every environment.  Models without a custom schema go to the target's.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
