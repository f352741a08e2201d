-- Purchases at partner merchants. offer_id is empty when the purchase was tracked without an
-- activated offer (it then earns the merchant's base rate, which finance books separately).
with source as (

    select * from {{ source('app', 'transactions') }}

)

select
    transaction_id,
    user_id,
    merchant_id,
    offer_id,
    amount_cents,
    upper(currency) as currency,
    cast(transacted_at as timestamp) as transacted_at,
    status as transaction_status,
    cast(updated_at as timestamp) as updated_at
from source
where transaction_id is not null
