# Snowflake roles of the cashback analytics team. Demo data: the demo's warehouse is DuckDB on
# your laptop, so nothing here is applied; on Snowflake this is how the team keeps its roles and
# grants as code. Ask for access by opening a pull request that changes these files.

resource "snowflake_account_role" "transformer" {
  name    = var.contributor_role
  comment = "Least-privilege role of analytics contributors: read raw data, build in their own sandbox."
}

resource "snowflake_account_role" "finance_reader" {
  name    = "FINANCE_READER"
  comment = "Reads the payments data (personal and financial data: finance analysts only)."
}

# Every contributor gets the role; the data engineers add people here.
resource "snowflake_grant_account_role" "contributors" {
  for_each  = toset(local.contributors)
  role_name = snowflake_account_role.transformer.name
  user_name = each.value
}

# Finance analysts also read the payments data.
resource "snowflake_grant_account_role" "finance_readers" {
  role_name        = snowflake_account_role.finance_reader.name
  parent_role_name = "FINANCE_ANALYST"
}
