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
  from   = "Joined"
  type   = date
  format = "YYYY-MM-DD" # ERROR: Invalid format
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
