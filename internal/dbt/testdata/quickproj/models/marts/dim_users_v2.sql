select u.*, count(o.order_id) as orders
from {{ ref('stg_users') }} u
left join {{ ref('quickproj', 'stg_orders') }} o using (user_id)
group by all
