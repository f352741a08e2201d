{{ config(tags=["kpi"]) }}

-- The weekly KPIs the leadership dashboard shows, one row per ISO week (weeks start on
-- Monday). Amounts are in the reporting currency.
with users as (

    select * from {{ ref('dim_users') }}

),

transactions as (

    select * from {{ ref('fct_transactions') }}

),

events as (

    select * from {{ ref('stg_app_events') }}

),

bounds as (

    select
        cast(date_trunc('week', min(signed_up_at)) as timestamp) as first_week,
        cast(date_trunc('week', greatest(max(signed_up_at), (select max(transacted_at) from transactions))) as timestamp) as last_week
    from users

),

weeks as (

    select cast(unnest(generate_series(first_week, last_week, interval 7 day)) as date) as week_start
    from bounds

),

signups as (

    select signup_week as week_start, count(*) as new_users
    from users
    group by 1

),

activity as (

    select cast(date_trunc('week', occurred_at) as date) as week_start, user_id from events
    union
    select cast(date_trunc('week', transacted_at) as date), user_id from transactions

),

active as (

    select week_start, count(distinct user_id) as active_users
    from activity
    group by 1

),

sales as (

    select
        cast(date_trunc('week', transacted_at) as date) as week_start,
        count(*) filter (where transaction_status = 'confirmed') as confirmed_transactions,
        sum(amount) filter (where transaction_status = 'confirmed') as gmv,
        sum(cashback_amount) filter (where transaction_status = 'confirmed') as cashback_earned,
        sum(commission_amount) filter (where transaction_status = 'confirmed') as commission
    from transactions
    group by 1

),

payouts as (

    select cast(date_trunc('week', paid_at) as date) as week_start, sum(amount) as cashback_paid
    from {{ ref('fct_cashback_payouts') }}
    where payout_status = 'paid'
    group by 1

),

redemptions as (

    select
        activation_week as week_start,
        count(*) as offer_activations,
        count(*) filter (where is_redeemed) as offer_redemptions
    from {{ ref('fct_offer_redemptions') }}
    group by 1

)

select
    weeks.week_start,
    coalesce(signups.new_users, 0) as new_users,
    coalesce(active.active_users, 0) as active_users,
    coalesce(sales.confirmed_transactions, 0) as confirmed_transactions,
    coalesce(sales.gmv, 0) as gmv,
    coalesce(sales.cashback_earned, 0) as cashback_earned,
    coalesce(payouts.cashback_paid, 0) as cashback_paid,
    coalesce(sales.commission, 0) as commission,
    coalesce(sales.commission, 0) - coalesce(sales.cashback_earned, 0) as net_revenue,
    coalesce(redemptions.offer_activations, 0) as offer_activations,
    coalesce(redemptions.offer_redemptions, 0) as offer_redemptions,
    round(redemptions.offer_redemptions / nullif(redemptions.offer_activations, 0), 4) as offer_redemption_rate
from weeks
left join signups on signups.week_start = weeks.week_start
left join active on active.week_start = weeks.week_start
left join sales on sales.week_start = weeks.week_start
left join payouts on payouts.week_start = weeks.week_start
left join redemptions on redemptions.week_start = weeks.week_start
order by weeks.week_start
