-- One row per offer activation: did the user go on to buy under the offer within 7 days, and
-- what did it earn them. Redemption rate = redeemed activations / activations.
with activations as (

    select * from {{ ref('int_offer_activations') }}

),

offers as (

    select * from {{ ref('dim_offers') }}

),

earnings as (

    select transaction_id, cashback_cents from {{ ref('int_transactions_enriched') }}

)

select
    activations.activation_id,
    activations.user_id,
    activations.offer_id,
    offers.merchant_id,
    offers.merchant_category,
    offers.cashback_type,
    activations.activated_at,
    cast(date_trunc('week', activations.activated_at) as date) as activation_week,
    activations.is_redeemed,
    activations.first_transaction_id,
    activations.first_transacted_at,
    datediff('hour', activations.activated_at, activations.first_transacted_at) as hours_to_redeem,
    {{ cents_to_amount('activations.first_amount_cents') }} as first_purchase_amount,
    {{ cents_to_amount('coalesce(earnings.cashback_cents, 0)') }} as cashback_amount
from activations
left join offers on offers.offer_id = activations.offer_id
left join earnings on earnings.transaction_id = activations.first_transaction_id
