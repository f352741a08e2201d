select date_trunc('month', ordered_at), sum(amount_eur) from {{ ref('fct_revenue') }} group by 1
