-- Offers with their merchant, for browsing and for joining to redemptions.
select
    offers.offer_id,
    offers.offer_title,
    offers.merchant_id,
    merchants.merchant_name,
    merchants.merchant_category,
    offers.cashback_type,
    offers.cashback_value,
    {{ cents_to_amount('offers.min_spend_cents') }} as min_spend_amount,
    offers.starts_at,
    offers.ends_at,
    datediff('day', offers.starts_at, offers.ends_at) as duration_days,
    offers.offer_status
from {{ ref('stg_offers') }} as offers
left join {{ ref('stg_merchants') }} as merchants on merchants.merchant_id = offers.merchant_id
