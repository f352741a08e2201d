resource "snowflake_grant_privileges_to_account_role" "quoted" {
  account_role_name = "CONTRIBUTOR"
  privileges        = ["usage", "monitor"]
  on_schema {
    schema_name = "\"raw\".\"Mixed Case\""
  }
}

resource "snowflake_grant_privileges_to_account_role" "future_in_db" {
  account_role_name = "CONTRIBUTOR"
  privileges        = ["SELECT"]
  on_schema_object {
    future {
      object_type_plural = "VIEWS"
      in_database        = "MARTS"
    }
  }
}

resource "snowflake_grant_privileges_to_account_role" "unknown_db" {
  account_role_name = "CONTRIBUTOR"
  all_privileges    = true
  on_account_object {
    object_type = "DATABASE"
    object_name = var.sandbox_database
  }
}

variable "sandbox_database" {
  type = string
}

resource "snowflake_grant_privileges_to_account_role" "per_schema" {
  for_each          = { app = "APP", shop = "SHOP" }
  account_role_name = "CONTRIBUTOR"
  privileges        = ["USAGE"]
  on_schema {
    schema_name = format("RAW.%s", each.value)
  }
}
