{#
    The app stores money as integer cents. Convert to a decimal amount in the currency's
    main unit (two places) for the marts people read; decimal, so sums do not drift.
#}
{% macro cents_to_amount(column_name) -%}
    cast(round({{ column_name }} / 100.0, 2) as decimal(18, 2))
{%- endmacro %}
