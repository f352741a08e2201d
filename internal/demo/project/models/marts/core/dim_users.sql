{{ config(tags=["pii"]) }}

-- One row per user with where they come from, when they first bought something and what
-- they have earned. The table most dashboards start from.
with users as (

    select * from {{ ref('stg_users') }}

),

countries as (

    select * from {{ ref('country_codes') }}

),

first_purchase as (

    select * from {{ ref('int_user_first_transaction') }}

),

balances as (

    select * from {{ ref('int_user_cashback_balance') }}

)

select
    users.user_id,
    users.email,
    users.first_name,
    users.country_code,
    countries.country_name,
    countries.region,
    users.signed_up_at,
    cast(date_trunc('week', users.signed_up_at) as date) as signup_week,
    users.signup_platform,
    users.referred_by_user_id,
    users.referred_by_user_id is not null as is_referred,
    first_purchase.first_transacted_at,
    first_purchase.first_transacted_at is not null as is_activated,
    datediff('day', users.signed_up_at, first_purchase.first_transacted_at) as days_to_first_purchase,
    {{ cents_to_amount('balances.earned_cents') }} as lifetime_cashback_earned,
    {{ cents_to_amount('balances.available_cents') }} as available_balance,
    users.is_deleted
from users
left join countries on countries.country_code = users.country_code
left join first_purchase on first_purchase.user_id = users.user_id
left join balances on balances.user_id = users.user_id
