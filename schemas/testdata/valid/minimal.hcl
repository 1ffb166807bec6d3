# The smallest pipeline: one source, one column, a document and a target.

pipeline "minimal" {
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
  database   = "crm"
  collection = "people"
}
