{{ config(tags=["product"]) }}

with source as (

    select * from {{ source('app', 'app_events') }}

)

select
    event_id,
    user_id,
    event_name,
    offer_id,
    cast(occurred_at as timestamp) as occurred_at,
    cast(occurred_at as date) as occurred_on,
    platform,
    app_version
from source
