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

column "tidy_name" {
  expr = replace(col.name, col.name, "") # ERROR: Constant argument required
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
