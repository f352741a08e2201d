-- A user activating an offer in the app, with the first purchase they made under it within
-- the offer's attribution window (7 days).
with activations as (

    select
        event_id as activation_id,
        user_id,
        offer_id,
        occurred_at as activated_at
    from {{ ref('stg_app_events') }}
    where event_name = 'offer_activated'

),

transactions as (

    select * from {{ ref('stg_transactions') }}
    where offer_id is not null

),

matched as (

    select
        activations.activation_id,
        activations.user_id,
        activations.offer_id,
        activations.activated_at,
        transactions.transaction_id,
        transactions.transacted_at,
        transactions.amount_cents,
        transactions.transaction_status,
        row_number() over (
            partition by activations.activation_id
            order by transactions.transacted_at
        ) as purchase_rank
    from activations
    left join transactions
        on transactions.user_id = activations.user_id
        and transactions.offer_id = activations.offer_id
        and transactions.transacted_at >= activations.activated_at
        and transactions.transacted_at < activations.activated_at + interval 7 day

)

select
    activation_id,
    user_id,
    offer_id,
    activated_at,
    transaction_id as first_transaction_id,
    transacted_at as first_transacted_at,
    amount_cents as first_amount_cents,
    transaction_status as first_transaction_status,
    transaction_id is not null as is_redeemed
from matched
where purchase_rank = 1
