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
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = null # ERROR: Invalid database
  collection = "people"
}
