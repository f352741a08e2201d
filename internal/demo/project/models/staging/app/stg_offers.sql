with source as (

    select * from {{ source('app', 'offers') }}

)

select
    offer_id,
    merchant_id,
    title as offer_title,
    cashback_type,
    cast(cashback_value as decimal(10, 2)) as cashback_value,
    coalesce(min_spend_cents, 0) as min_spend_cents,
    cast(starts_at as timestamp) as starts_at,
    cast(ends_at as timestamp) as ends_at,
    status as offer_status,
    cast(updated_at as timestamp) as updated_at
from source
