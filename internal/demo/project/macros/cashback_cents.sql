{#
    Cashback earned on one transaction, in cents: a percentage of the amount for "percent"
    offers, a fixed amount for "fixed" offers, and nothing when the minimum spend is not met.
    Never more than the transaction amount itself.
#}
{% macro cashback_cents(amount_cents, cashback_type, cashback_value, min_spend_cents) -%}
    case
        when {{ cashback_type }} is null then 0
        when {{ amount_cents }} < coalesce({{ min_spend_cents }}, 0) then 0
        when {{ cashback_type }} = 'percent'
            then least({{ amount_cents }}, cast(round({{ amount_cents }} * {{ cashback_value }} / 100) as bigint))
        when {{ cashback_type }} = 'fixed'
            then least({{ amount_cents }}, cast({{ cashback_value }} as bigint))
        else 0
    end
{%- endmacro %}
