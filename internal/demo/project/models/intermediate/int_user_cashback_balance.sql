-- What each user has earned, withdrawn and still has available. Pending cashback is shown
-- separately: it becomes available once the merchant confirms the purchase.
with earned as (

    select
        user_id,
        sum(case when is_earning then cashback_cents else 0 end) as earned_cents,
        sum(case when transaction_status = 'pending' then cashback_cents else 0 end) as pending_cents
    from {{ ref('int_transactions_enriched') }}
    group by user_id

),

paid as (

    select
        user_id,
        sum(case when payout_status = 'paid' then amount_cents else 0 end) as paid_out_cents,
        sum(case when payout_status = 'requested' then amount_cents else 0 end) as requested_cents
    from {{ ref('stg_cashback_payouts') }}
    group by user_id

)

select
    users.user_id,
    coalesce(earned.earned_cents, 0) as earned_cents,
    coalesce(earned.pending_cents, 0) as pending_cents,
    coalesce(paid.paid_out_cents, 0) as paid_out_cents,
    coalesce(paid.requested_cents, 0) as requested_cents,
    coalesce(earned.earned_cents, 0)
        - coalesce(paid.paid_out_cents, 0)
        - coalesce(paid.requested_cents, 0) as available_cents
from {{ ref('stg_users') }} as users
left join earned on earned.user_id = users.user_id
left join paid on paid.user_id = users.user_id
