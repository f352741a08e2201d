with source as (

    select * from {{ source('app', 'merchants') }}

)

select
    merchant_id,
    name as merchant_name,
    category as merchant_category,
    upper(country_code) as country_code,
    cast(commission_rate as decimal(5, 4)) as commission_rate,
    cast(onboarded_at as timestamp) as onboarded_at,
    is_active
from source
