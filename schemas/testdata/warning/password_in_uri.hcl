pipeline "people" {
  description = "People CSV into crm.people"
}

source "csv" {
  path = "data/people.csv"
}

column "name" {
  from = "Name"
}

document {
  name = col.name
}

target "mongodb" {
  uri        = "mongodb://writer:hunter2@db.example.com:27017" # WARNING: Password in the pipeline file
  database   = "crm"
  collection = "people"
}
