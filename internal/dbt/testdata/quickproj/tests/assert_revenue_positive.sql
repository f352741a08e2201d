select * from {{ ref('fct_revenue') }} where amount_eur < 0
