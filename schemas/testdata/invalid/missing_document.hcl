pipeline "people" { # ERROR: Missing document block
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

target "mongodb" {
  database   = "crm"
  collection = "people"
}
