-- depends_on: {{ ref('stg_users') }}
{#- A Jinja comment is not rendered: {{ ref('not_a_dependency') }} -#}
select *
from {{source( 'shop' ,
   'payments' )}}
