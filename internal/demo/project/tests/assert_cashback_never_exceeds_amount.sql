-- Cashback above the purchase amount means the cashback rule or an offer's value is wrong,
-- and we would be paying users to shop. Returns the offending purchases.
select
    transaction_id,
    amount_cents,
    cashback_cents
from {{ ref('fct_transactions') }}
where cashback_cents > amount_cents
   or cashback_cents < 0
