-- The first confirmed purchase of every user who has one: the "activated customer" moment
-- growth reports on.
select
    user_id,
    transaction_id as first_transaction_id,
    merchant_id as first_merchant_id,
    transacted_at as first_transacted_at
from {{ ref('stg_transactions') }}
where transaction_status = 'confirmed'
qualify row_number() over (partition by user_id order by transacted_at, transaction_id) = 1
