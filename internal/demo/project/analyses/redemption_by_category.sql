-- Which merchant categories turn activations into purchases best? Compile with
-- `dbt compile -s redemption_by_category` and paste the SQL into your SQL client.
select
    merchant_category,
    count(*) as activations,
    count(*) filter (where is_redeemed) as redemptions,
    round(count(*) filter (where is_redeemed) / count(*), 3) as redemption_rate
from {{ ref('fct_offer_redemptions') }}
group by merchant_category
order by redemption_rate desc
