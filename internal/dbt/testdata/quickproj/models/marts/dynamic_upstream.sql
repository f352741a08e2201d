select * from {{ ref(var('upstream_model', 'stg_users')) }}
