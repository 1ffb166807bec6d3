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

column "joined_on" {
  from = "Joined"
  type = date
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}

check "joined_recently" {
  assert = col.joined_on >= "2024-13-01" # ERROR: Invalid date literal
}
