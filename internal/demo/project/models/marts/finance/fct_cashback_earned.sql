-- Cashback users have earned (confirmed) or are waiting for (pending), one row per purchase
-- that earns any. Finance books the confirmed rows as a liability until they are paid out.
select
    transaction_id,
    user_id,
    merchant_id,
    offer_id,
    transacted_at as earned_at,
    cast(date_trunc('month', transacted_at) as date) as earned_month,
    case when is_earning then 'available' else 'pending' end as cashback_state,
    cashback_cents,
    {{ cents_to_amount('cashback_cents') }} as cashback_amount,
    currency
from {{ ref('int_transactions_enriched') }}
where cashback_cents > 0
    and (is_earning or transaction_status = 'pending')
