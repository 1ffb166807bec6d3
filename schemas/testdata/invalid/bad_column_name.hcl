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

column "Blood Type" { # ERROR: Invalid column name
  from = "Blood Type"
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
