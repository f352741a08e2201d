# What the contributor role may read and do. Demo data (see roles.tf).

locals {
  # The app's tables in the raw schema that contributors read as sources.
  app_tables = ["USERS", "MERCHANTS", "OFFERS", "TRANSACTIONS", "APP_EVENTS"]
}

resource "snowflake_grant_privileges_to_account_role" "transformer_prod" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE"]
  on_account_object {
    object_type = "DATABASE"
    object_name = var.prod_database
  }
}

resource "snowflake_grant_privileges_to_account_role" "transformer_raw_schema" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE"]
  on_schema {
    schema_name = "\"${upper(var.prod_database)}\".\"RAW\""
  }
}

# One grant per app table: the payments tables are not among them (see finance_payouts).
resource "snowflake_grant_privileges_to_account_role" "transformer_raw_tables" {
  for_each          = toset(local.app_tables)
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["SELECT"]
  on_schema_object {
    object_type = "TABLE"
    object_name = "${upper(var.prod_database)}.RAW.${each.key}"
  }
}

resource "snowflake_grant_privileges_to_account_role" "finance_payouts" {
  account_role_name = snowflake_account_role.finance_reader.name
  privileges        = ["SELECT"]
  on_schema_object {
    object_type = "TABLE"
    object_name = "${upper(var.prod_database)}.RAW.CASHBACK_PAYOUTS"
  }
}

# Sandboxes are cloned from the clone database.
resource "snowflake_grant_privileges_to_account_role" "transformer_clone" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["USAGE"]
  on_account_object {
    object_type = "DATABASE"
    object_name = "CLONE"
  }
}

resource "snowflake_grant_privileges_to_account_role" "transformer_create_sandbox" {
  account_role_name = snowflake_account_role.transformer.name
  privileges        = ["CREATE DATABASE"]
  on_account        = true
}

# Written before the provider's 1.0 resources; still applied.
resource "snowflake_warehouse_grant" "transforming" {
  warehouse_name = "TRANSFORMING"
  privilege      = "USAGE"
  roles          = [snowflake_account_role.transformer.name]
}
