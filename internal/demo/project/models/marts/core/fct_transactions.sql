{{
    config(
        materialized='incremental',
        unique_key='transaction_id',
        on_schema_change='append_new_columns',
        tags=['finance']
    )
}}

-- Every tracked purchase with its cashback and commission. Incremental: a run only reads
-- transactions whose status changed since the last run (statuses change for weeks after the
-- purchase, so the key is updated_at, not transacted_at).
select
    transaction_id,
    user_id,
    merchant_id,
    offer_id,
    merchant_category,
    transacted_at,
    cast(transacted_at as date) as transacted_on,
    transaction_status,
    currency,
    amount_cents,
    {{ cents_to_amount('amount_cents') }} as amount,
    cashback_cents,
    {{ cents_to_amount('cashback_cents') }} as cashback_amount,
    commission_cents,
    {{ cents_to_amount('commission_cents') }} as commission_amount,
    updated_at
from {{ ref('int_transactions_enriched') }}

{% if is_incremental() %}
where updated_at > (select coalesce(max(updated_at), timestamp '1970-01-01') from {{ this }})
{% endif %}
