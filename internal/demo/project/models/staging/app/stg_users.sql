-- One row per app account, renamed to the project's conventions. Closed accounts stay, with
-- is_deleted set, so that history keeps adding up.
with source as (

    select * from {{ source('app', 'users') }}

),

renamed as (

    select
        id as user_id,
        lower(trim(email)) as email,
        first_name,
        last_name,
        upper(country_code) as country_code,
        cast(created_at as timestamp) as signed_up_at,
        referral_code,
        referred_by as referred_by_user_id,
        signup_platform,
        coalesce(is_deleted, false) as is_deleted,
        cast(updated_at as timestamp) as updated_at
    from source

)

select * from renamed
