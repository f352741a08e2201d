# Demo data (see roles.tf).

variable "contributor_role" {
  type    = string
  default = "TRANSFORMER"
}

variable "prod_database" {
  type    = string
  default = "prod"
}

locals {
  contributors = ["JANE_DOE", "SAM_RIVERA", "PRIYA_NAIR"]
}
