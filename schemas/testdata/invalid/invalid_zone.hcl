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

column "seen_at" {
  from = "Seen"
  type = timestamp
  zone = "Mars/Olympus_Mons" # ERROR: Invalid zone
}

document {
  name = col.name
  age  = col.age
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
