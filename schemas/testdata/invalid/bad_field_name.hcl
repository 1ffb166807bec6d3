pipeline "people" {
  description = "People CSV into crm.people"
}

source "csv" {
  path = "data/people.csv"
}

column "name" {
  from = "Name"
}

column "age" {
  from = "Age"
  type = int32
}

document {
  person = {
    "$name" = col.name # ERROR: Invalid field name
    age     = col.age
  }
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
