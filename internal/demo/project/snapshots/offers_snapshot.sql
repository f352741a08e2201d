{#
    The app only keeps an offer's latest state. This snapshot records every change of status,
    cashback or dates, so "what was the offer when the user activated it" can be answered.
#}
{% snapshot offers_snapshot %}

{{
    config(
        unique_key='offer_id',
        strategy='check',
        check_cols=['offer_status', 'cashback_type', 'cashback_value', 'min_spend_cents', 'ends_at'],
        tags=['daily']
    )
}}

select * from {{ ref('stg_offers') }}

{% endsnapshot %}
