-- Partner merchants with how much business they do through the app.
with merchants as (

    select * from {{ ref('stg_merchants') }}

),

sales as (

    select
        merchant_id,
        count(*) as confirmed_transactions,
        sum(amount_cents) as confirmed_sales_cents,
        sum(commission_cents) as commission_cents
    from {{ ref('int_transactions_enriched') }}
    where transaction_status = 'confirmed'
    group by merchant_id

),

offers as (

    select
        merchant_id,
        count(*) filter (where offer_status = 'live') as live_offers
    from {{ ref('stg_offers') }}
    group by merchant_id

)

select
    merchants.merchant_id,
    merchants.merchant_name,
    merchants.merchant_category,
    merchants.country_code,
    merchants.commission_rate,
    merchants.onboarded_at,
    merchants.is_active,
    coalesce(offers.live_offers, 0) as live_offers,
    coalesce(sales.confirmed_transactions, 0) as confirmed_transactions,
    {{ cents_to_amount('coalesce(sales.confirmed_sales_cents, 0)') }} as confirmed_sales_amount,
    {{ cents_to_amount('coalesce(sales.commission_cents, 0)') }} as commission_amount
from merchants
left join sales on sales.merchant_id = merchants.merchant_id
left join offers on offers.merchant_id = merchants.merchant_id
