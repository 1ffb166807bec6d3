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

column "a" {
  type = int64
  expr = col.b + 1 # ERROR: Cycle between columns
}

column "b" {
  type = int64
  expr = col.a * 2 # ERROR: Cycle between columns
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
