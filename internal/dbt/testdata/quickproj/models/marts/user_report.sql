select * from {{ ref('dim_users', v=1) }}
union all
select * from {{ ref('dim_users') }}
{% for name in ['a', 'b'] %}
union all select * from {{ ref(name) }}
{% endfor %}
