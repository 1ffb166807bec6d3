pipeline "people" {
  description = "People CSV into crm.people"
}

source "csv" {
  path       = "data/people.csv"
  batch_size = 1e99999999 # ERROR: Number out of range
}

column "name" {
  from = "Name"
}

document {
  name  = col.name
  small = 1e-99999999 # ERROR: Number out of range
}

target "mongodb" {
  database   = "crm"
  collection = "people"
}
