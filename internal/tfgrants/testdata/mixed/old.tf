# Resources of the Snowflake provider before 0.9x: one resource per privilege and object kind.
resource "snowflake_database_grant" "raw_usage" {
  database_name = "RAW"
  privilege     = "USAGE"
  roles         = ["ANALYST_BASE"]
}

resource "snowflake_schema_grant" "raw_future_schemas" {
  database_name = "RAW"
  on_future     = true
  roles         = ["ANALYST_BASE"]
}

resource "snowflake_table_grant" "stripe_all_tables" {
  database_name = "RAW"
  schema_name   = "STRIPE"
  on_all        = true
  roles         = ["ANALYST_BASE", "FINANCE"]
}

resource "snowflake_view_grant" "hubspot_one_view" {
  database_name = "RAW"
  schema_name   = "HUBSPOT"
  view_name     = "contacts"
  roles         = ["CONTRIBUTOR"]
}

resource "snowflake_role_grants" "analyst_base" {
  role_name = "ANALYST_BASE"
  roles     = ["contributor"]
  users     = ["ci_bot"]
}
