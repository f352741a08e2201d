{#
    Use the custom schema name as it is ("staging", "marts"), not dbt's default
    "<target schema>_<custom schema>". Every contributor builds in their own sandbox database,
    so the schema names can be the same as in production.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
