-- Each transaction with its offer and merchant, and the cashback it earns the user. The one
-- place the cashback rule is applied (macro cashback_cents), so every mart agrees.
with transactions as (

    select * from {{ ref('stg_transactions') }}

),

offers as (

    select * from {{ ref('stg_offers') }}

),

merchants as (

    select * from {{ ref('stg_merchants') }}

)

select
    transactions.transaction_id,
    transactions.user_id,
    transactions.merchant_id,
    transactions.offer_id,
    merchants.merchant_category,
    transactions.amount_cents,
    transactions.currency,
    transactions.transacted_at,
    transactions.transaction_status,
    transactions.updated_at,
    offers.cashback_type,
    offers.cashback_value,
    {{ cashback_cents('transactions.amount_cents', 'offers.cashback_type', 'offers.cashback_value', 'offers.min_spend_cents') }} as cashback_cents,
    cast(round(transactions.amount_cents * merchants.commission_rate) as bigint) as commission_cents,
    transactions.transaction_status in (
        {%- for s in var('earning_statuses') %}'{{ s }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ) as is_earning
from transactions
left join offers on transactions.offer_id = offers.offer_id
left join merchants on transactions.merchant_id = merchants.merchant_id
