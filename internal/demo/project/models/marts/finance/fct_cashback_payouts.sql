-- Withdrawals of cashback, with how long the payments team took to pay them.
select
    payout_id,
    user_id,
    payout_method,
    payout_status,
    requested_at,
    paid_at,
    datediff('hour', requested_at, paid_at) as hours_to_pay,
    amount_cents,
    {{ cents_to_amount('amount_cents') }} as amount,
    currency
from {{ ref('stg_cashback_payouts') }}
