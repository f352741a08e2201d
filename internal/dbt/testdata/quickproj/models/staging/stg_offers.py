def model(dbt, session):
    dbt.config(materialized="table", tags=["python"])
    # dbt.ref("commented_out") is not a dependency
    offers = dbt.source("app", "offers")
    return offers
