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
    name = col.name
    name = col.age # ERROR: Duplicate field
  }
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
