{#
  Revenue per order. {{ ref('ignored_in_comment') }}
#}
with orders as (
    select * from {{ ref('stg_orders') }}
), payments as (
    select * from {{ ref( "stg_payments" ) }}
)
select o.order_id, p.amount * r.rate as amount_eur
from orders o
join payments p using (order_id)
join {{ ref('currency_rates') }} r on r.currency = p.currency
