resource "snowflake_database_grant" "broken" {
  database_name = "X"
