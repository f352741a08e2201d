{{ config(tags=["finance"]) }}

with source as (

    select * from {{ source('payments', 'cashback_payouts') }}

)

select
    payout_id,
    user_id,
    amount_cents,
    upper(currency) as currency,
    payout_method,
    cast(requested_at as timestamp) as requested_at,
    cast(paid_at as timestamp) as paid_at,
    status as payout_status
from source
