pipeline "people" {
  description = "People CSV into crm.people"
}

source "csv" {
  path = col.name # ERROR: Column reference in a setting
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
