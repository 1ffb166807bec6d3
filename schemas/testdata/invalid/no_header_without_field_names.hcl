pipeline "people" {
  description = "People CSV into crm.people"
}

source "csv" { # ERROR: Missing field_names
  path   = "data/people.csv"
  header = false
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
