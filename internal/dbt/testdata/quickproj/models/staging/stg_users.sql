select id as user_id, email, created_at
from {{ source('app', 'users') }}
