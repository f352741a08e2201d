select * from {{ ref('stg_users') }}
