{{ config(materialized='incremental', unique_key='order_id', tags=['hourly']) }}

select o.*, c.name as country_name
from {{ source("app","orders") }} as o
left join {{ ref('raw_countries') }} as c on c.code = o.country_code
{% if is_incremental() %}
where o.updated_at > (select max(updated_at) from {{ this }})
{% endif %}
