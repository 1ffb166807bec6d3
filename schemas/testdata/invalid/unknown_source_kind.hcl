pipeline "people" {
  description = "People CSV into crm.people"
}

source "parquet" { # ERROR: Unsupported source kind
  path = "data/people.parquet"
}

column "name" {
  from = "Name"
}

column "age" {
  from = "Age"
  type = int32
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
